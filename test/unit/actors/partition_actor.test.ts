// The partition actor over a storage that fails on demand: an append is answered (and its high
// watermark published) only after its bytes were written; a failed write refuses the turn's
// appends with KAFKA_STORAGE_ERROR, leaves no trace in the log, and the next append succeeds; a
// failed fsync or an invariant failure inside the log takes only this partition offline.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isLanesError } from '../../../core/errors.js';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import type { RecoveredLog, SegmentStore, Storage, StorageOpenOptions } from '../../../core/log/storage.js';
import { encodeCallBody } from '../../../actors/call_body.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { appendHeaderBytes, envelopeHeaderBytes, dataViewOf, EnvelopeKind, fetchHeaderBytes, readAppendResult, readEnvelopeHeader, readFetchResultHeader, writeEnvelopeHeader, writeFetch, type AppendResult } from '../../../actors/envelope.js';
import type { ReplySink } from '../../../actors/shard/actor.js';
import { partitionLogOf } from '../../../actors/shard/log_factory.js';
import { PartitionActor } from '../../../actors/shard/partition_actor.js';
import { PartitionDirectory } from '../../../actors/shard/partition_directory.js';
import { FakeClock, seededBatch } from '../log/log_support.js';

/** A storage that delegates to memory, and fails writes, syncs or reads while told to. */
class FailingStorage implements Storage {
  readonly kind = 'memory';
  readonly #inner = new MemoryStorage();
  failWrites = false;
  failSync = false;
  writes = 0;

  open(options: StorageOpenOptions): Promise<RecoveredLog> {
    return this.#inner.open();
  }
  createSegment(baseOffset: number, capacityBytes: number, indexEntries: number): SegmentStore {
    return this.#inner.createSegment(baseOffset, capacityBytes, indexEntries);
  }
  deleteSegment(segment: SegmentStore): void {
    this.#inner.deleteSegment(segment);
  }
  writeOut(): void {
    this.writes++;
    if (this.failWrites) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
  async sync(): Promise<void> {
    this.writeOut();
    if (this.failSync) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  }
  saveLogStartOffset(): void {}
  close(): Promise<void> {
    return this.#inner.close();
  }
}

class CollectingSink implements ReplySink {
  readonly replies: Uint8Array[] = [];
  replyBytesMax = 1 << 20;
  reply(bytes: number, write: (view: Uint8Array) => void): void {
    const view = new Uint8Array(bytes);
    write(view);
    this.replies.push(view);
  }
  publish(): void {}
  appendResults(): AppendResult[] {
    return this.replies.filter((reply) => readEnvelopeHeader(dataViewOf(reply)).kind === EnvelopeKind.AppendResult).map(readAppendResult);
  }
}

const actorId = 3;
let correlation = 0;

function appendEnvelope(batch: Uint8Array, waitForFlush: boolean): Uint8Array {
  const envelope = new Uint8Array(appendHeaderBytes + batch.length);
  writeEnvelopeHeader(dataViewOf(envelope), EnvelopeKind.Append, actorId, ++correlation);
  dataViewOf(envelope).setUint16(12, waitForFlush ? 1 : 0, true);
  envelope.set(batch, appendHeaderBytes);
  return envelope;
}

function fetchEnvelope(fetchOffset: number): Uint8Array {
  const envelope = new Uint8Array(fetchHeaderBytes);
  writeFetch(envelope, actorId, ++correlation, { fetchOffset, maxBytes: 1 << 20 });
  return envelope;
}

function callEnvelope(method: string, request: unknown): Uint8Array {
  const body = encodeCallBody({ method, args: [request] });
  const envelope = new Uint8Array(envelopeHeaderBytes + body.length);
  writeEnvelopeHeader(dataViewOf(envelope), EnvelopeKind.Call, actorId, ++correlation);
  envelope.set(body, envelopeHeaderBytes);
  return envelope;
}

async function setup(flush: 'always' | 'never' = 'never') {
  const storage = new FailingStorage();
  const log = await Log.open(storage, { clock: new FakeClock(), flush: { kind: flush } });
  const logger = pino({ level: 'silent' });
  const sink = new CollectingSink();
  const directory = new PartitionDirectory(new SharedArrayBuffer(PartitionDirectory.regionBytes(8)), 0, 8);
  const actor = new PartitionActor({ actorId, topic: 'orders', partition: 0, log: partitionLogOf(log, { memory: new WebAssembly.Memory({ initial: 1 }), logger }), sink, directory, fetchBytesMax: 1 << 20, logger });
  const send = (envelope: Uint8Array) => actor.receive(envelope, readEnvelopeHeader(dataViewOf(envelope)));
  /** What the shard runtime answers when receive throws: the error's code. */
  const sendCaught = (envelope: Uint8Array): number => {
    try {
      send(envelope);
      return ErrorCode.NONE;
    } catch (error) {
      if (!isLanesError(error)) throw error;
      return error.errorCode;
    }
  };
  return { storage, log, sink, directory, actor, send, sendCaught };
}

describe('PartitionActor and its storage', () => {
  it('answers acks=1 appends only after the turn wrote them, with one write per turn', async () => {
    const { storage, sink, directory, actor, send } = await setup();
    send(appendEnvelope(seededBatch(1, 3, 10), false));
    send(appendEnvelope(seededBatch(2, 2, 10), false));
    expect(sink.appendResults()).toEqual([]);
    expect(directory.read(actorId)?.highWatermark).toBe(0);
    const writesBefore = storage.writes;
    actor.endTurn();
    expect(storage.writes - writesBefore).toBe(1);
    expect(sink.appendResults().map((result) => [result.errorCode, result.baseOffset])).toEqual([[0, 0], [0, 3]]);
    expect(directory.read(actorId)?.highWatermark).toBe(5);
  });

  it('writes a turn\'s appends before a fetch in the same turn reads them', async () => {
    const { storage, sink, send } = await setup();
    send(appendEnvelope(seededBatch(1, 3, 10), false));
    const writesBefore = storage.writes;
    send(fetchEnvelope(0));
    expect(storage.writes - writesBefore).toBe(1);
    const fetched = sink.replies.find((reply) => readEnvelopeHeader(dataViewOf(reply)).kind === EnvelopeKind.FetchResult)!;
    expect(readFetchResultHeader(fetched).highWatermark).toBe(3);
  });

  it('refuses the turn\'s appends when the write fails, keeps no trace of them, and takes appends again', async () => {
    const { storage, log, sink, directory, actor, send } = await setup();
    send(appendEnvelope(seededBatch(1, 3, 10), false));
    actor.endTurn();
    storage.failWrites = true;
    send(appendEnvelope(seededBatch(2, 4, 10), false));
    send(appendEnvelope(seededBatch(3, 1, 10), true));
    actor.endTurn();
    const refused = sink.appendResults().slice(1);
    expect(refused.map((result) => result.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.KAFKA_STORAGE_ERROR]);
    expect(refused[0].message).toMatch(/ENOSPC/);
    expect(log.highWatermark).toBe(3);
    expect(directory.read(actorId)?.highWatermark).toBe(3);
    expect(actor.offline).toBeNull();

    storage.failWrites = false;
    send(appendEnvelope(seededBatch(4, 2, 10), false));
    actor.endTurn();
    const resumed = sink.appendResults().at(-1)!;
    expect([resumed.errorCode, resumed.baseOffset]).toEqual([ErrorCode.NONE, 3]);
    expect(directory.read(actorId)?.highWatermark).toBe(5);
  });

  it('goes offline on a failed fsync: waiting acks=-1 appends and every later request get KAFKA_STORAGE_ERROR', async () => {
    const { storage, sink, directory, actor, send, sendCaught } = await setup('always');
    expect(actor.needsTick()).toBe(false); // one segment, no interval flush: the shard may skip its ticks
    storage.failSync = true;
    send(appendEnvelope(seededBatch(1, 3, 10), true));
    actor.endTurn();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.appendResults().map((result) => result.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR]);
    expect(actor.offline).toMatch(/fsync failed/);
    expect(actor.state().offline).toMatch(/fsync failed/);
    expect(directory.read(actorId)).toBeNull();
    // A retried fsync could succeed without the lost pages: no append is taken any more.
    storage.failSync = false;
    expect(sendCaught(appendEnvelope(seededBatch(2, 1, 10), false))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(sendCaught(fetchEnvelope(0))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    actor.endTurn();
    actor.tick(0);
    expect(actor.needsTick()).toBe(false); // offline: nothing more to do
    await actor.close();
  });

  it('goes offline, not down, when an invariant inside its log breaks', async () => {
    const { log, actor, send, sendCaught } = await setup();
    send(appendEnvelope(seededBatch(1, 3, 10), false));
    actor.endTurn();
    // A bug inside the log: a read that throws a plain Error (an assert), not an operating error.
    (log as unknown as { read: () => never }).read = () => {
      throw new Error('assertion failed: stored batch at 0 has length 0');
    };
    expect(sendCaught(fetchEnvelope(0))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(actor.offline).toMatch(/assertion failed/);
    expect(sendCaught(appendEnvelope(seededBatch(2, 1, 10), false))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
  });

  it('refuses a call whose answer cannot cross the reply ring, and serves on', async () => {
    const { sink, actor, send, sendCaught } = await setup();
    // Producer ids are the client's to pick: one batch each from many of them.
    for (let producerId = 0; producerId < 40; producerId++) {
      send(appendEnvelope(encodeRecordBatch([{ key: null, value: new Uint8Array(1) }], { producerId, producerEpoch: 0, baseSequence: 0 }), false));
    }
    actor.endTurn();
    sink.replyBytesMax = 512;
    expect(sendCaught(callEnvelope('activeProducers', null))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(actor.offline).toBeNull();
    expect(sendCaught(callEnvelope('deleteRecords', 39))).toBe(ErrorCode.NONE);
    expect(sendCaught(callEnvelope('activeProducers', null))).toBe(ErrorCode.NONE);
    send(appendEnvelope(seededBatch(1, 1, 10), false));
    actor.endTurn();
    expect(sink.appendResults().at(-1)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 40 });
  });
});
