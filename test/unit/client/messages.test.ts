// Goal: the embedded client's fast codecs say exactly what the reference codecs say. Method:
// fast-check records (null and empty keys/values, repeated and null-valued headers, non-ASCII
// strings, negative timestamp deltas, gzip) — (1) lazy fetched messages (decodeFetched) equal the
// record_reader's eager decode of the same batches, from any fetch offset, and keep their bytes
// when the fetched region is overwritten; (2) BatchWriter writes byte for byte what
// encodeRecordBatch writes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchWriter } from '../../../actors/client/batch_writer.js';
import { decodeFetched } from '../../../actors/client/messages.js';
import type { IHeaders } from '../../../actors/client/types.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { readBatches } from '../../../core/records/record_reader.js';
import { Compression, writeInt64 } from '../../../core/records/record_batch.js';
import type { RecordInput } from '../../../core/records/record.js';

const bytes = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
const header = fc.record({ key: fc.constantFrom('a', 'b', 'trace', 'ключ', ''), value: bytes });
const record = fc.record({
  key: bytes,
  value: bytes,
  headers: fc.array(header, { maxLength: 4 }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_600_000_100_000 }),
});
const batches = fc.array(fc.record({ records: fc.array(record, { minLength: 1, maxLength: 8 }), gzip: fc.boolean() }), { minLength: 1, maxLength: 4 });

/** The batches at consecutive offsets, each its own view, as a fetch over several segments returns them. */
function fetched(specs: { records: RecordInput[]; gzip: boolean }[]): Uint8Array[] {
  let offset = 0;
  const parts = specs.map(({ records, gzip }) => {
    const batch = encodeRecordBatch(records, { compression: gzip ? Compression.gzip : Compression.none });
    writeInt64(batch, 0, offset);
    offset += records.length;
    return batch;
  });
  return parts;
}

/** KafkaJS's headers object from eager headers: repeated keys become arrays, null values are left out. */
function headersOf(headers: { key: string; value: Uint8Array | null }[]): IHeaders {
  const out: IHeaders = {};
  for (const { key, value } of headers) {
    const existing = out[key];
    const next = value === null ? undefined : Buffer.from(value);
    if (existing === undefined) out[key] = next;
    else out[key] = [...(Array.isArray(existing) ? existing : [existing]), ...(next === undefined ? [] : [next])];
  }
  return out;
}

function toBuffer(value: Uint8Array | null): Buffer | null {
  return value === null ? null : Buffer.from(value);
}

describe('lazy fetched messages', () => {
  it('equal the eager decode, from any fetch offset', () => {
    fc.assert(
      fc.property(batches, fc.nat({ max: 40 }), (specs, fromOffset) => {
        const parts = fetched(specs);
        const eager = [...readBatches(Buffer.concat(parts))].flatMap((batch) => batch.records.map((each) => ({ each, attributes: batch.header.attributes }))).filter(({ each }) => each.offset >= fromOffset);
        const fetchedRecords = decodeFetched(parts, fromOffset, { verifyCrc: true });
        const { nextOffset } = fetchedRecords;
        const messages = fetchedRecords.messages();
        expect(fetchedRecords.count).toBe(messages.length);
        messages.forEach((message, i) => expect(fetchedRecords.offsetAt(i)).toBe(Number(message.offset)));
        expect(nextOffset).toBe(Math.max(fromOffset, specs.reduce((sum, spec) => sum + spec.records.length, 0)));
        expect(messages.length).toBe(eager.length);
        messages.forEach((message, i) => {
          const { each, attributes } = eager[i];
          expect(message.offset).toBe(String(each.offset));
          expect(message.timestamp).toBe(String(each.timestamp));
          expect(message.attributes).toBe(attributes);
          expect(message.key).toEqual(toBuffer(each.key));
          expect(message.value).toEqual(toBuffer(each.value));
          expect(message.headers).toEqual(headersOf(each.headers));
          expect(JSON.parse(JSON.stringify(message)).offset).toBe(String(each.offset));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keep their bytes after the fetched memory is overwritten', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4096));
    const batch = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('held value'), headers: [{ key: 'h', value: Buffer.from('hv') }] }]);
    shared.set(batch, 100);
    const messages = decodeFetched([shared.subarray(100, 100 + batch.length)], 0, { verifyCrc: false }).messages();
    const [message] = messages;
    // The log reuses the memory (a roll, retention): nothing a message hands out may change.
    shared.fill(0xee);
    expect(message.key).toEqual(Buffer.from('k'));
    expect(message.value).toEqual(Buffer.from('held value'));
    expect(message.headers).toEqual({ h: Buffer.from('hv') });
    expect(message.value!.buffer).not.toBe(shared.buffer);
  });

  it('read and assign like plain properties', () => {
    const messages = decodeFetched([encodeRecordBatch([{ key: null, value: Buffer.from('v') }])], 0, { verifyCrc: true }).messages();
    const [message] = messages;
    message.value = Buffer.from('replaced');
    message.headers = { added: 'x' };
    expect(message.value).toEqual(Buffer.from('replaced'));
    expect(message.headers).toEqual({ added: 'x' });
    expect(message.key).toBeNull();
  });
});

describe('BatchWriter', () => {
  it('writes what encodeRecordBatch writes', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.option(fc.record({ producerId: fc.nat(), producerEpoch: fc.nat({ max: 32767 }), baseSequence: fc.nat() }), { nil: undefined }),
        fc.nat({ max: 600 }),
        (records, gzip, identity, initialBytes) => {
          const compression = gzip ? Compression.gzip : Compression.none;
          const writer = new BatchWriter(initialBytes);
          // Strings go in as strings where they can: the writer encodes them itself.
          for (const each of records) {
            const ascii = each.value !== null && each.value.every((byte) => byte < 0x80);
            writer.append(each.key, ascii ? Buffer.from(each.value!).toString('latin1') : each.value, each.headers, each.timestamp);
          }
          expect(writer.count).toBe(records.length);
          expect(Buffer.from(writer.finish({ compression, ...identity }))).toEqual(Buffer.from(encodeRecordBatch(records, { compression, ...identity })));
        },
      ),
      { numRuns: 200 },
    );
  });
});
