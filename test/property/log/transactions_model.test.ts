// Model test of transactions in one partition: random interleavings of three producers' data
// batches (transactional or not), the coordinator's COMMIT and ABORT markers (for open
// transactions and for none, as a retry), and plain batches, with truncations now and then (which
// make the log rebuild its state from its batches). After every step the log's last stable offset
// and aborted list (for random ranges) must equal a simple model's, and a read_committed reader
// (batches below the LSO, the aborted list, the client's filter) must see exactly the records of
// committed transactions and non-transactional producers, in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFetched } from '../../../actors/client/messages.js';
import { ErrorCode } from '../../../core/errors.js';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { encodeMarkerBatch } from '../../../core/records/control_batch.js';
import { BatchField, readInt32, readInt64 } from '../../../core/records/record_batch.js';
import { codeOf } from '../../support/error_code.js';
import { FakeClock } from '../../unit/log/log_support.js';

type Op =
  | { kind: 'data'; producerId: number; transactional: boolean }
  | { kind: 'marker'; producerId: number; committed: boolean }
  | { kind: 'plain' }
  | { kind: 'truncate'; back: number }
  | { kind: 'check'; from: number; span: number };

const producerIds = [1, 2, 3];
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('data' as const), producerId: fc.constantFrom(...producerIds), transactional: fc.constantFrom(true, true, true, true, false) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('marker' as const), producerId: fc.constantFrom(...producerIds), committed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'plain' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), back: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const), from: fc.nat(60), span: fc.nat(20) }) },
);

/** One stored batch (one record, or one marker) as the model keeps it. */
type Entry =
  | { kind: 'data'; producerId: number | null; transactional: boolean; value: string }
  | { kind: 'marker'; producerId: number; committed: boolean };

/** Everything the model derives from the stored entries, offset i = entries[i]. */
function derive(entries: readonly Entry[]) {
  const open = new Map<number, number>();
  const aborted: { producerId: number; firstOffset: number; lastOffset: number }[] = [];
  entries.forEach((entry, offset) => {
    if (entry.kind === 'data') {
      if (entry.transactional && !open.has(entry.producerId!)) open.set(entry.producerId!, offset);
      return;
    }
    const first = open.get(entry.producerId);
    if (first === undefined) return;
    open.delete(entry.producerId);
    if (!entry.committed) aborted.push({ producerId: entry.producerId, firstOffset: first, lastOffset: offset });
  });
  const lastStableOffset = Math.min(entries.length, ...open.values());
  // A transactional record is visible when the producer's next marker after it commits.
  const visible: string[] = [];
  entries.forEach((entry, offset) => {
    if (entry.kind !== 'data' || offset >= lastStableOffset) return;
    if (!entry.transactional) return void visible.push(entry.value);
    const decision = entries.slice(offset + 1).find((later) => later.kind === 'marker' && later.producerId === entry.producerId);
    if (decision !== undefined && decision.kind === 'marker' && decision.committed) visible.push(entry.value);
  });
  return { open, aborted, lastStableOffset, visible };
}

async function run(ops: readonly Op[]): Promise<void> {
  const log = await Log.open(new MemoryStorage(), { clock: new FakeClock(), segmentBytes: 256, maxBatchBytes: 256, indexIntervalBytes: 128 });
  let entries: Entry[] = [];
  const sequences = new Map<number, number>();
  let values = 0;
  for (const step of ops) {
    const model = derive(entries);
    switch (step.kind) {
      case 'data': {
        const value = `v${values++}`;
        const sequence = sequences.get(step.producerId) ?? 0;
        const batch = encodeRecordBatch([{ key: null, value: new TextEncoder().encode(value) }], { producerId: step.producerId, producerEpoch: 0, baseSequence: sequence, transactional: step.transactional });
        if (!step.transactional && model.open.has(step.producerId)) {
          expect(codeOf(() => log.append(batch))).toBe(ErrorCode.INVALID_TXN_STATE);
          break;
        }
        expect(log.append(batch).baseOffset).toBe(entries.length);
        sequences.set(step.producerId, sequence + 1);
        entries.push({ kind: 'data', producerId: step.producerId, transactional: step.transactional, value });
        break;
      }
      case 'marker': {
        const batch = encodeMarkerBatch({ producerId: step.producerId, producerEpoch: 0, committed: step.committed, coordinatorEpoch: 0 }, 1);
        expect(log.append(batch, 0, batch.length, 'coordinator').baseOffset).toBe(entries.length);
        entries.push({ kind: 'marker', producerId: step.producerId, committed: step.committed });
        break;
      }
      case 'plain': {
        const value = `v${values++}`;
        log.append(encodeRecordBatch([{ key: null, value: new TextEncoder().encode(value) }]));
        entries.push({ kind: 'data', producerId: null, transactional: false, value });
        break;
      }
      case 'truncate': {
        const to = Math.max(0, entries.length - step.back);
        expect(log.truncateTo(to)).toBe(to);
        entries = entries.slice(0, to);
        // Truncated batches' sequences are gone: the producers continue after what remains.
        sequences.clear();
        for (const entry of entries) if (entry.kind === 'data' && entry.producerId !== null) sequences.set(entry.producerId, (sequences.get(entry.producerId) ?? 0) + 1);
        break;
      }
      case 'check': {
        const from = step.from;
        const to = from + step.span;
        const expected = model.aborted.filter((txn) => txn.lastOffset >= from && txn.firstOffset <= to);
        expect(log.abortedTransactions(from, to)).toEqual(expected);
        break;
      }
    }
    const after = derive(entries);
    expect(log.highWatermark).toBe(entries.length);
    expect(log.lastStableOffset).toBe(after.lastStableOffset);
    expect(log.lastAbortedOffset).toBe(after.aborted.at(-1)?.lastOffset ?? -1);
    // A read_committed reader from the start: what the broker returns, then the client's filter.
    const lastOffsetOf = (batch: Uint8Array) => readInt64(batch, BatchField.baseOffset) + readInt32(batch, BatchField.lastOffsetDelta);
    const stable = log.read(0, 1 << 20).batches.filter((batch) => lastOffsetOf(batch) < log.lastStableOffset);
    const aborted = stable.length === 0 ? [] : log.abortedTransactions(0, lastOffsetOf(stable.at(-1)!)).map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
    const seen = decodeFetched(stable, 0, { verifyCrc: true, abortedTransactions: aborted }).messages().map((message) => String(message.value));
    expect(seen).toEqual(after.visible);
  }
}

describe('transactions against a model', () => {
  it('last stable offset, aborted lists and what read_committed readers see', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), run), { numRuns: 150 });
  });

  it('a producer aborted twice around a committed transaction of another (a fixed case)', async () => {
    await run([
      { kind: 'data', producerId: 1, transactional: true },
      { kind: 'data', producerId: 2, transactional: true },
      { kind: 'marker', producerId: 1, committed: false },
      { kind: 'data', producerId: 1, transactional: true },
      { kind: 'marker', producerId: 2, committed: true },
      { kind: 'marker', producerId: 1, committed: false },
      { kind: 'plain' },
      { kind: 'check', from: 0, span: 10 },
    ]);
  });
});
