// Request frames for the fuzzer: a valid request for an advertised (api, version), then, for most
// frames, one mutation of the kinds a broken or hostile client produces. Each frame carries a
// label ("Produce v7 batch-field lastOffsetDelta=-1 crc-fixed") so a crash report says what was sent.
//
// Mutations:
//   bit-flips        1–8 random bits anywhere after the size prefix
//   truncate         the frame cut short, its size prefix made to match (a short body)
//   size-lie         the size prefix off by a little, or huge, or negative
//   int-overwrite    an int16/int32/varint at a random place set to an edge value: the length and
//                    count lies (string lengths, array counts of 2^31 − 1, negative lengths)
//   header           a random api key and/or version (unknown, unsupported, negative)
//   tagged-fields    (flexible versions) the header's or body's tag section replaced by duplicated,
//                    unknown, out-of-order or size-lying tags, or a huge tag count
//   batch-field      (Produce) one RecordBatch header field set to an edge value, the CRC fixed
//                    afterwards most of the time so the lie gets past the checksum
//   splice           the frame's head glued to another frame's tail
import { ApiKey } from '../../core/protocol/api_keys.js';
import { encodeRequest } from '../../core/protocol/codec.js';
import { encodeRequestHeader, requestHeaderVersion } from '../../core/protocol/header.js';
import { apiByKey, type RequestBody } from '../../core/protocol/messages/registry.js';
import { Writer, concatChunks } from '../../core/protocol/writer.js';
import { crc32c } from '../../core/records/crc32c.js';
import { BatchField, batchCrcStart, readInt32 } from '../../core/records/record_batch.js';
import type { Prng } from '../support/prng.js';
import { RequestGenerator } from './valid_requests.js';

export interface AdvertisedVersion {
  readonly apiKey: number;
  readonly version: number;
  readonly name: string;
}

export interface FuzzFrame {
  /** Size prefix included. */
  readonly bytes: Uint8Array;
  readonly label: string;
  /** False when the frame was sent as generated (a well-formed request). */
  readonly mutated: boolean;
}

const mutationKinds = ['bit-flips', 'truncate', 'size-lie', 'int-overwrite', 'header', 'tagged-fields', 'batch-field', 'splice'] as const;
type MutationKind = (typeof mutationKinds)[number];

const batchFields = ['lastOffsetDelta', 'recordCount', 'batchLength', 'magic', 'attributes', 'producerId', 'producerEpoch', 'baseSequence', 'baseTimestamp', 'maxTimestamp'] as const;

export class FrameFactory {
  readonly #prng: Prng;
  readonly #generator: RequestGenerator;
  readonly #versions: readonly AdvertisedVersion[];
  readonly #mutationChance: number;
  #correlationId = 1;
  #previous: Uint8Array = new Uint8Array(0);

  /**
   * `versions`: what the broker advertised in ApiVersions, one entry per (api, version).
   * `mutationChance`: the chance that a write ends in a mutated frame.
   */
  constructor(prng: Prng, versions: readonly AdvertisedVersion[], mutationChance: number) {
    this.#prng = prng;
    this.#generator = new RequestGenerator(prng);
    this.#versions = versions;
    this.#mutationChance = mutationChance;
  }

  /**
   * The frames of one write: up to `framesMax − 1` well-formed ones, then one that is mutated with
   * the factory's mutation chance. The mutated frame comes last because a malformed frame makes
   * the broker close the connection, and frames behind it would never be read.
   */
  nextWrite(framesMax: number): FuzzFrame[] {
    const count = this.#prng.int(1, framesMax);
    const frames: FuzzFrame[] = [];
    for (let i = 1; i < count; i++) frames.push(this.next(false));
    frames.push(this.next(this.#prng.chance(this.#mutationChance)));
    return frames;
  }

  next(mutate: boolean): FuzzFrame {
    const prng = this.#prng;
    const target = prng.pick(this.#versions);
    const api = apiByKey.get(target.apiKey);
    if (api === undefined) throw new Error(`no definition for api ${target.apiKey}`);
    const schema = api.request;
    const body = this.#generator.body(schema, target.version);
    // Half the mutations of a Produce lie inside a record batch: its header is where the log's
    // own invariants (sequences, offsets, counts) meet client data.
    const kind: MutationKind | null = !mutate ? null : target.apiKey === ApiKey.Produce && prng.chance(0.5) ? 'batch-field' : prng.pick(mutationKinds);
    let label = `${target.name} v${target.version}`;
    if (kind === 'batch-field' && target.apiKey === ApiKey.Produce) label += this.#mutateBatch(body);
    const correlationId = this.#correlationId++ & 0x3fff_ffff;
    const writer = new Writer(256);
    encodeRequestHeader(writer, { apiKey: target.apiKey, apiVersion: target.version, correlationId, clientId: prng.chance(0.1) ? null : 'fuzz' });
    const headerBytes = writer.byteLength;
    encodeRequest(target.apiKey, target.version, body as unknown as RequestBody, writer);
    let bytes = concatChunks(writer.finishFrame());
    const flexible = requestHeaderVersion(target.apiKey, target.version) === 2;
    if (kind !== null && kind !== 'batch-field') {
      const mutated = this.#mutate(kind, bytes, headerBytes, flexible);
      bytes = mutated.bytes;
      label += ` ${mutated.label}`;
    }
    this.#previous = bytes;
    return { bytes, label, mutated: kind !== null };
  }

  #mutate(kind: Exclude<MutationKind, 'batch-field'>, frame: Uint8Array, headerBytes: number, flexible: boolean): { bytes: Uint8Array; label: string } {
    const prng = this.#prng;
    const bytes = frame.slice();
    const view = new DataView(bytes.buffer);
    switch (kind) {
      case 'bit-flips': {
        const flips = prng.int(1, 8);
        for (let i = 0; i < flips; i++) bytes[prng.int(4, bytes.length - 1)] ^= 1 << prng.int(0, 7);
        return { bytes, label: `bit-flips ×${flips}` };
      }
      case 'truncate': {
        const keep = prng.int(4, bytes.length - 1);
        const cut = bytes.slice(0, keep);
        new DataView(cut.buffer).setInt32(0, keep - 4);
        return { bytes: cut, label: `truncate to ${keep - 4} of ${bytes.length - 4}` };
      }
      case 'size-lie': {
        const size = view.getInt32(0);
        const lie = prng.pick([size + prng.int(1, 8), size - prng.int(1, Math.min(8, size)), 0x7fff_ffff, -1, 0, 100 * 1024 * 1024 + 1]);
        view.setInt32(0, lie);
        return { bytes, label: `size-lie ${size}→${lie}` };
      }
      case 'int-overwrite': {
        const at = prng.int(4, Math.max(4, bytes.length - 4));
        const choice = prng.int(0, 2);
        if (choice === 0 && at + 2 <= bytes.length) {
          const value = prng.pick([-1, 0x7fff, -0x8000, 0, -2]);
          view.setInt16(at, value);
          return { bytes, label: `int16@${at}=${value}` };
        }
        if (choice === 1 && at + 4 <= bytes.length) {
          const value = prng.pick([-1, 0x7fff_ffff, -0x8000_0000, 0, 0x10_0000, -2]);
          view.setInt32(at, value);
          return { bytes, label: `int32@${at}=${value}` };
        }
        const varint = prng.pick([[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x00], [0xff, 0xff, 0x03]]);
        const out = concatChunks([bytes.subarray(0, at), Uint8Array.from(varint), bytes.subarray(Math.min(bytes.length, at + 1))]);
        new DataView(out.buffer).setInt32(0, out.length - 4);
        return { bytes: out, label: `varint@${at}=${varint.map((b) => b.toString(16)).join('')}` };
      }
      case 'header': {
        const apiKey = prng.chance(0.5) ? prng.pick([-1, 17, 21, 24, 36, 50, 67, 0x7fff, prng.int(0, 70)]) : view.getInt16(4);
        const version = prng.pick([-1, 0, view.getInt16(6) + 1, 13, 99, -0x8000, 0x7fff, prng.int(0, 15)]);
        view.setInt16(4, apiKey);
        view.setInt16(6, version);
        return { bytes, label: `header api ${apiKey} v${version}` };
      }
      case 'tagged-fields': {
        if (!flexible) return this.#mutate('int-overwrite', frame, headerBytes, flexible);
        const section = this.#tagSection();
        // The header's tag section is its last byte (no tags written); the body's top-level tag
        // section is the frame's last byte.
        const inHeader = prng.chance(0.5);
        const at = inHeader ? 4 + headerBytes - 1 : bytes.length - 1;
        const out = concatChunks([bytes.subarray(0, at), section.bytes, bytes.subarray(at + 1)]);
        new DataView(out.buffer).setInt32(0, out.length - 4);
        return { bytes: out, label: `tagged-fields ${inHeader ? 'header' : 'body'} ${section.label}` };
      }
      case 'splice': {
        const other = this.#previous.length > 4 ? this.#previous : frame;
        const head = prng.int(4, bytes.length);
        const tail = prng.int(4, other.length);
        const out = concatChunks([bytes.subarray(0, head), other.subarray(tail)]);
        new DataView(out.buffer).setInt32(0, out.length - 4);
        return { bytes: out, label: `splice ${head - 4}+${other.length - tail}` };
      }
    }
  }

  #tagSection(): { bytes: Uint8Array; label: string } {
    const prng = this.#prng;
    const entry = (tag: number, data: number[], sizeLie = data.length) => [...uvarint(tag), ...uvarint(sizeLie), ...data];
    switch (prng.int(0, 5)) {
      case 0:
        return { bytes: Uint8Array.from([2, ...entry(0, [1]), ...entry(0, [2])]), label: 'duplicate tag 0' };
      case 1:
        return { bytes: Uint8Array.from([2, ...entry(5, [1, 2]), ...entry(1, [3])]), label: 'tags out of order' };
      case 2:
        return { bytes: Uint8Array.from([1, ...entry(0x7fff_ffff, [1, 2, 3])]), label: 'unknown huge tag' };
      case 3:
        return { bytes: Uint8Array.from([1, ...entry(0, [1], 0x7fff_fff0)]), label: 'tag size lie' };
      case 4:
        return { bytes: Uint8Array.from([...uvarint(0xffff_ffff)]), label: 'huge tag count' };
      default: {
        const count = prng.int(1, 300);
        const out: number[] = [...uvarint(count)];
        for (let i = 0; i < count; i++) out.push(...entry(i, [i & 0xff]));
        return { bytes: Uint8Array.from(out), label: `${count} unknown tags` };
      }
    }
  }

  /** Sets one header field of one batch of a Produce body to an edge value (in a copy). */
  #mutateBatch(body: Record<string, unknown>): string {
    const prng = this.#prng;
    const partitions = ((body.topics as { partitions: { records: Uint8Array | null }[] }[]) ?? []).flatMap((topic) => topic.partitions);
    const withRecords = partitions.filter((partition) => partition.records !== null && partition.records.length >= BatchField.records);
    if (withRecords.length === 0) return ' batch-field (no batch)';
    const partition = prng.pick(withRecords);
    const batch = partition.records!.slice();
    partition.records = batch;
    const view = new DataView(batch.buffer);
    const field = prng.pick(batchFields);
    let value: number;
    switch (field) {
      case 'magic':
        value = prng.pick([0, 1, 3, 0xff]);
        batch[BatchField.magic] = value;
        break;
      case 'attributes':
        value = prng.pick([0x01, 0x02, 0x03, 0x04, 0x07, 0x05, 0x10, 0x20, 0x30, 0x08, 0xffff]);
        view.setInt16(BatchField.attributes, value);
        break;
      case 'producerEpoch':
        value = prng.pick([-1, 0x7fff, -2]);
        view.setInt16(BatchField.producerEpoch, value);
        break;
      case 'producerId':
      case 'baseTimestamp':
      case 'maxTimestamp':
        value = prng.pick([-1, 0, -2, 2 ** 53]);
        view.setBigInt64(BatchField[field], BigInt(value));
        break;
      default: {
        const current = readInt32(batch, BatchField[field]);
        value = prng.pick([-1, -1, 0, current + 1, current - 1, 0x7fff_ffff, -0x8000_0000]);
        view.setInt32(BatchField[field], value);
      }
    }
    const fixCrc = prng.chance(0.75);
    if (fixCrc && batch.length >= BatchField.records) {
      const end = Math.min(batch.length, BatchField.batchLength + 4 + Math.max(0, readInt32(batch, BatchField.batchLength)));
      if (end > batchCrcStart) view.setUint32(BatchField.crc, crc32c(batch, batchCrcStart, end));
    }
    return ` batch-field ${field}=${value}${fixCrc ? ' crc-fixed' : ''}`;
  }
}

function uvarint(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}
