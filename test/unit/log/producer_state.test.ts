// Idempotent producers, per partition: what a retrying producer relies on. A retry of one of its
// last five batches is answered with the stored offsets and not stored again; a gap, a stale
// epoch or a bumped epoch not starting at 0 is refused with Kafka's code. First the state table
// alone, then through the Log (memory storage; disk recovery is in the wire tests).
import { describe, expect, it } from 'vitest';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import { ProducerStateTable, sequenceAfter, type ProducerBatchHeader } from '../../../core/log/producer_state.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { crc32c } from '../../../core/records/crc32c.js';
import { BatchField, writeInt32 } from '../../../core/records/record_batch.js';
import { FakeClock } from './log_support.js';
import { codeOf } from '../../support/error_code.js';

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const INVALID_PRODUCER_EPOCH = 47;
const CORRUPT_MESSAGE = 2;
const INVALID_RECORD = 87;

const header = (producerEpoch: number, baseSequence: number, recordCount: number, producerId = 7): ProducerBatchHeader => ({
  producerId,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: recordCount - 1,
});

/** Appends through the table the way the log does: check, then record at `offset`. */
function store(table: ProducerStateTable, batch: ProducerBatchHeader, offset: number): number {
  expect(table.check(batch)).toBeNull();
  table.onAppend(batch, offset);
  return offset + batch.lastOffsetDelta + 1;
}

describe('ProducerStateTable', () => {
  it('accepts any first sequence from an unknown producer (KIP-360), then requires the next one', () => {
    const table = new ProducerStateTable();
    expect(table.check(header(0, 42, 3))).toBeNull();
    table.onAppend(header(0, 42, 3), 100);
    expect(table.check(header(0, 45, 1))).toBeNull();
    expect(codeOf(() => table.check(header(0, 46, 1)))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('finds a retry among the last five batches and answers its stored offsets', () => {
    const table = new ProducerStateTable();
    let offset = 0;
    let sequence = 0;
    const stored: { sequence: number; offset: number }[] = [];
    for (let i = 0; i < 6; i++) {
      stored.push({ sequence, offset });
      offset = store(table, header(0, sequence, 2), offset);
      sequence += 2;
    }
    // Batches 1..5 are remembered; batch 0 fell out of the window.
    for (const { sequence: first, offset: base } of stored.slice(1)) {
      expect(table.check(header(0, first, 2))).toEqual({ firstSequence: first, lastSequence: first + 1, baseOffset: base, lastOffset: base + 1 });
    }
    expect(codeOf(() => table.check(header(0, 0, 2)))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Same first sequence but a different length is not the same batch: a gap.
    expect(codeOf(() => table.check(header(0, stored[5].sequence, 1)))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(table.describe(7)!.batches).toHaveLength(5);
  });

  it('refuses a gap and a repeat of the sequence just before the window', () => {
    const table = new ProducerStateTable();
    store(table, header(3, 0, 5), 0);
    expect(codeOf(() => table.check(header(3, 6, 1)))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => table.check(header(3, 3, 2)))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(table.check(header(3, 5, 1))).toBeNull();
  });

  it('fences a stale epoch and lets a bumped epoch start over at sequence 0 only', () => {
    const table = new ProducerStateTable();
    store(table, header(1, 0, 3), 0);
    expect(codeOf(() => table.check(header(0, 3, 1)))).toBe(INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => table.check(header(0, 0, 3)))).toBe(INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => table.check(header(2, 3, 1)))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    store(table, header(2, 0, 1), 3);
    expect(table.describe(7)).toEqual({ epoch: 2, batches: [{ firstSequence: 0, lastSequence: 0, baseOffset: 3, lastOffset: 3 }] });
    // The old epoch's batch is no longer a duplicate: its epoch is fenced.
    expect(codeOf(() => table.check(header(1, 0, 3)))).toBe(INVALID_PRODUCER_EPOCH);
  });

  it('wraps the sequence from Int32 max to 0', () => {
    expect(sequenceAfter(0x7fff_ffff, 1)).toBe(0);
    expect(sequenceAfter(0x7fff_fffe, 3)).toBe(1);
    const table = new ProducerStateTable();
    store(table, header(0, 0x7fff_fffe, 2), 0);
    expect(table.check(header(0, 0, 1))).toBeNull();
    store(table, header(0, 0, 1), 2);
    // A batch that itself wraps: 0x7ffffffe, 0x7fffffff, 0 — and its retry.
    const wrapping = new ProducerStateTable();
    store(wrapping, header(0, 0x7fff_fffe, 3), 10);
    expect(wrapping.check(header(0, 0x7fff_fffe, 3))).toMatchObject({ lastSequence: 0, baseOffset: 10 });
    expect(wrapping.check(header(0, 1, 1))).toBeNull();
  });

  it('keeps producers apart', () => {
    const table = new ProducerStateTable();
    store(table, header(0, 0, 1, 1), 0);
    store(table, header(0, 0, 1, 2), 1);
    expect(table.check(header(0, 0, 1, 1))).toMatchObject({ baseOffset: 0 });
    expect(table.check(header(0, 0, 1, 2))).toMatchObject({ baseOffset: 1 });
    expect(table.producerCount).toBe(2);
  });

  it('refuses an idempotent batch without an epoch or a sequence', () => {
    const table = new ProducerStateTable();
    expect(codeOf(() => table.check(header(-1, 0, 1)))).toBe(INVALID_RECORD);
    expect(codeOf(() => table.check(header(0, -1, 1)))).toBe(INVALID_RECORD);
  });

  it('refuses out-of-range header fields from the wire with INVALID_RECORD, known producer or not', () => {
    const table = new ProducerStateTable();
    const known = new ProducerStateTable();
    store(known, header(0, 0, 1), 0);
    const bad: ProducerBatchHeader[] = [
      { producerId: 7, producerEpoch: 0, baseSequence: 1, lastOffsetDelta: -1 },
      { producerId: 7, producerEpoch: 0, baseSequence: 1, lastOffsetDelta: 0x8000_0000 },
      { producerId: 7, producerEpoch: 0x8000, baseSequence: 1, lastOffsetDelta: 0 },
      { producerId: 7, producerEpoch: 0, baseSequence: 0x8000_0000, lastOffsetDelta: 0 },
      { producerId: 7, producerEpoch: 0, baseSequence: 1.5, lastOffsetDelta: 0 },
      { producerId: 2 ** 60, producerEpoch: 0, baseSequence: 1, lastOffsetDelta: 0 },
    ];
    for (const each of bad) {
      expect(codeOf(() => table.check(each))).toBe(INVALID_RECORD);
      expect(codeOf(() => known.check(each))).toBe(INVALID_RECORD);
    }
    expect(known.describe(7)!.batches).toHaveLength(1);
  });

  it('accepts the extremes of each range: epoch Int16 max, a batch of 2^31 sequences ending at the wrap', () => {
    const table = new ProducerStateTable();
    store(table, { producerId: 7, producerEpoch: 0x7fff, baseSequence: 0x7fff_ffff, lastOffsetDelta: 0 }, 0);
    expect(table.check({ producerId: 7, producerEpoch: 0x7fff, baseSequence: 0, lastOffsetDelta: 0x7fff_ffff })).toBeNull();
  });

  it('forgets producers whose last batch lies below the log start offset', () => {
    const table = new ProducerStateTable();
    store(table, header(0, 0, 2, 1), 0);
    store(table, header(0, 0, 2, 2), 2);
    table.removeBefore(2);
    expect(table.describe(1)).toBeUndefined();
    expect(table.describe(2)).toBeDefined();
  });
});

describe('Log with idempotent producers', () => {
  const value = (text: string) => new TextEncoder().encode(text);
  const idempotentBatch = (producerEpoch: number, baseSequence: number, texts: string[]) =>
    encodeRecordBatch(texts.map((text) => ({ key: null, value: value(text), timestamp: 1_000 })), { producerId: 9, producerEpoch, baseSequence });

  async function memoryLog(segmentBytes = 4096): Promise<Log> {
    return Log.open(new MemoryStorage(), { clock: new FakeClock(), segmentBytes, maxBatchBytes: 2048, indexIntervalBytes: 256 });
  }

  it('stores a retried batch once and answers it with the original offsets', async () => {
    const log = await memoryLog();
    log.append(encodeRecordBatch([{ key: null, value: value('plain'), timestamp: 1_000 }]));
    const first = idempotentBatch(0, 0, ['a', 'b']);
    expect(log.append(first)).toEqual({ baseOffset: 1, lastOffset: 2, recordCount: 2 });
    expect(log.append(first)).toEqual({ baseOffset: 1, lastOffset: 2, recordCount: 2, duplicate: true });
    expect(log.highWatermark).toBe(3);
    expect(log.append(idempotentBatch(0, 2, ['c']))).toEqual({ baseOffset: 3, lastOffset: 3, recordCount: 1 });
    expect(log.read(0, 1 << 20).batches).toHaveLength(3);
  });

  it('refuses a gap and a stale epoch without appending', async () => {
    const log = await memoryLog();
    log.append(idempotentBatch(1, 0, ['a']));
    expect(codeOf(() => log.append(idempotentBatch(1, 2, ['gap'])))).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => log.append(idempotentBatch(0, 1, ['stale'])))).toBe(INVALID_PRODUCER_EPOCH);
    expect(log.highWatermark).toBe(1);
  });

  it('leaves the producer state unchanged when the batch itself is refused', async () => {
    const log = await memoryLog();
    log.append(idempotentBatch(0, 0, ['a']));
    const corrupt = idempotentBatch(0, 1, ['b']);
    corrupt[corrupt.length - 1] ^= 0x01;
    expect(codeOf(() => log.append(corrupt))).toBe(2);
    expect(log.append(idempotentBatch(0, 1, ['b']))).toEqual({ baseOffset: 1, lastOffset: 1, recordCount: 1 });
  });

  /** The batch with lastOffsetDelta overwritten and, unless `keepCrc`, its CRC made right again. */
  function withLastOffsetDelta(batch: Uint8Array, lastOffsetDelta: number, keepCrc = false): Uint8Array {
    const copy = batch.slice();
    writeInt32(copy, BatchField.lastOffsetDelta, lastOffsetDelta);
    if (!keepCrc) writeInt32(copy, BatchField.crc, crc32c(copy, BatchField.attributes));
    return copy;
  }

  it('refuses a known producer\'s batch with lastOffsetDelta −1 by its CRC or its header, never an assert', async () => {
    // The producer-state check once ran first and asserted on `sequence 1 + -1`, which stopped the
    // shard thread. The batch is now checked in Kafka's order: frame and CRC, header, producer.
    const log = await memoryLog();
    log.append(idempotentBatch(0, 0, ['a']));
    expect(codeOf(() => log.append(withLastOffsetDelta(idempotentBatch(0, 1, ['b']), -1, true)))).toBe(CORRUPT_MESSAGE);
    expect(codeOf(() => log.append(withLastOffsetDelta(idempotentBatch(0, 1, ['b']), -1)))).toBe(INVALID_RECORD);
    expect(codeOf(() => log.append(withLastOffsetDelta(idempotentBatch(0, 1, ['b']), 0x7fff_ffff)))).toBe(INVALID_RECORD);
    expect(log.highWatermark).toBe(1);
    expect(log.append(idempotentBatch(0, 1, ['b']))).toEqual({ baseOffset: 1, lastOffset: 1, recordCount: 1 });
  });

  it('refuses a corrupt retry of a stored batch instead of answering it as a duplicate', async () => {
    const log = await memoryLog();
    const first = idempotentBatch(0, 0, ['a']);
    log.append(first);
    const corrupt = first.slice();
    corrupt[corrupt.length - 1] ^= 0x01;
    expect(codeOf(() => log.append(corrupt))).toBe(CORRUPT_MESSAGE);
    expect(log.append(first)).toMatchObject({ baseOffset: 0, duplicate: true });
  });

  it('refuses a batch shorter than a header even when the active segment is nearly full', async () => {
    const log = await memoryLog();
    let sequence = 0;
    while (log.sizeBytes + 600 <= 4096) log.append(idempotentBatch(0, sequence++, ['x'.repeat(400)]));
    // One more batch sized to leave 10 bytes of the 4096-byte segment free.
    let size = 1;
    while (idempotentBatch(0, sequence, ['x'.repeat(size)]).length < 4096 - log.sizeBytes - 10) size++;
    log.append(idempotentBatch(0, sequence++, ['x'.repeat(size)]));
    expect(4096 - log.sizeBytes).toBe(10);
    expect(codeOf(() => log.append(new Uint8Array(40)))).toBe(CORRUPT_MESSAGE);
    expect(log.append(idempotentBatch(0, sequence, ['y']))).toMatchObject({ baseOffset: sequence });
  });

  it('rebuilds the producer state after a truncation from the batches that remain', async () => {
    const log = await memoryLog();
    log.append(idempotentBatch(0, 0, ['a']));
    log.append(idempotentBatch(0, 1, ['b']));
    log.truncateTo(1);
    // Sequence 1 is no longer stored, so it is not a duplicate: it is appended again.
    expect(log.append(idempotentBatch(0, 1, ['b']))).toEqual({ baseOffset: 1, lastOffset: 1, recordCount: 1 });
    expect(log.append(idempotentBatch(0, 0, ['a']))).toMatchObject({ baseOffset: 0, duplicate: true });
  });
});
