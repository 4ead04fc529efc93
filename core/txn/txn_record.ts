// The transaction state log's records: key = the transactional id (UTF-8), value = the id's whole
// metadata (a version byte, then JSON), or null (a tombstone: the id expired). Replay keeps the
// latest record per key, so the log can be compacted to one record per live id.
//
// JSON rather than a binary layout: a record is written once per state change of a transaction
// (a handful per transaction), never on the produce path, and JSON keeps the log readable with
// `lanes consume`-style tools. Decoding checks every field, since the bytes come back from disk.
import { LanesError, ErrorCode } from '../errors.js';
import type { TxnGroupOffsets, TxnMetadata, TxnPartition, TxnPendingOffset } from './txn_metadata.js';
import { isTxnState } from './txn_state.js';

const valueVersion = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface TxnRecord {
  readonly transactionalId: string;
  /** null: a tombstone, the id is forgotten. */
  readonly metadata: TxnMetadata | null;
}

/** The bytes a metadata's record value takes (the state log's bound is txnRecordBytesMax). */
export function txnRecordValueBytes(metadata: TxnMetadata): number {
  return 1 + encoder.encode(JSON.stringify(metadata)).length;
}

export function encodeTxnRecord(record: TxnRecord): { key: Uint8Array; value: Uint8Array | null } {
  const key = encoder.encode(record.transactionalId);
  if (record.metadata === null) return { key, value: null };
  const json = encoder.encode(JSON.stringify(record.metadata));
  const value = new Uint8Array(1 + json.length);
  value[0] = valueVersion;
  value.set(json, 1);
  return { key, value };
}

function corrupt(detail: string): LanesError {
  return new LanesError(ErrorCode.CORRUPT_MESSAGE, `transaction state record: ${detail}`);
}

function int(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw corrupt(`${name} is not an integer ≥ ${min}`);
  return value;
}

/** A value a client chose (an offset, a leader epoch): any number the codec can hand over. */
function num(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw corrupt(`${name} is not a number`);
  return value;
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw corrupt(`${name} is not a string`);
  return value;
}

function list<T>(value: unknown, name: string, item: (entry: Record<string, unknown>) => T): T[] {
  if (!Array.isArray(value)) throw corrupt(`${name} is not a list`);
  return value.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw corrupt(`${name} holds a non-object`);
    return item(entry as Record<string, unknown>);
  });
}

export function decodeTxnRecord(key: Uint8Array, value: Uint8Array | null): TxnRecord {
  let transactionalId: string;
  try {
    transactionalId = decoder.decode(key);
  } catch {
    throw corrupt('key is not UTF-8');
  }
  if (value === null) return { transactionalId, metadata: null };
  if (value.length < 1 || value[0] !== valueVersion) throw corrupt(`unknown value version ${value[0]}`);
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(value.subarray(1)));
  } catch {
    throw corrupt('value is not JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw corrupt('value is not an object');
  const fields = raw as Record<string, unknown>;
  const state = str(fields.state, 'state');
  if (!isTxnState(state)) throw corrupt(`unknown state ${state}`);
  const partition = (entry: Record<string, unknown>): TxnPartition => ({ topic: str(entry.topic, 'topic'), partition: int(entry.partition, 'partition', 0) });
  const offset = (entry: Record<string, unknown>): TxnPendingOffset => ({
    topic: str(entry.topic, 'topic'),
    partition: int(entry.partition, 'partition', 0),
    offset: num(entry.offset, 'offset'),
    leaderEpoch: num(entry.leaderEpoch, 'leaderEpoch'),
    metadata: entry.metadata === null ? null : str(entry.metadata, 'metadata'),
  });
  const group = (entry: Record<string, unknown>): TxnGroupOffsets => ({ groupId: str(entry.groupId, 'groupId'), offsets: list(entry.offsets, 'offsets', offset) });
  const metadata: TxnMetadata = {
    transactionalId: str(fields.transactionalId, 'transactionalId'),
    producerId: int(fields.producerId, 'producerId', 0),
    previousProducerId: int(fields.previousProducerId, 'previousProducerId', -1),
    producerEpoch: int(fields.producerEpoch, 'producerEpoch', 0),
    lastProducerEpoch: int(fields.lastProducerEpoch, 'lastProducerEpoch', -1),
    nextProducerId: fields.nextProducerId === undefined ? -1 : int(fields.nextProducerId, 'nextProducerId', -1),
    timeoutMs: int(fields.timeoutMs, 'timeoutMs', 1),
    state,
    partitions: list(fields.partitions, 'partitions', partition),
    groups: list(fields.groups, 'groups', group),
    startMs: int(fields.startMs, 'startMs', -1),
    updateMs: int(fields.updateMs, 'updateMs', 0),
  };
  if (metadata.transactionalId !== transactionalId) throw corrupt('key and value name different transactional ids');
  return { transactionalId, metadata };
}
