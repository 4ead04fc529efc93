// Model test of idempotent appends through the Log: two producers send batches over a network
// that retries, some of them long after, and bump their epochs now and then. Every retry of one
// of the producer's last five batches of its current epoch must answer that batch's offsets and
// store nothing; an older retry is refused (45 in the same epoch, 47 from an older epoch); and the
// log must end up holding every new batch exactly once, in the order it was first sent.
// Sequences start at random points, some just below Int32 max, so the wrap to 0 is exercised.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { readBatchHeader } from '../../../core/records/record_batch.js';
import { FakeClock } from '../../unit/log/log_support.js';
import { codeOf } from '../../support/error_code.js';

interface Sent {
  epoch: number;
  baseSequence: number;
  recordCount: number;
  bytes: Uint8Array;
  baseOffset: number;
}

type Step = { kind: 'send'; producer: number; recordCount: number } | { kind: 'retry'; producer: number; back: number } | { kind: 'bump'; producer: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), producer: fc.integer({ min: 0, max: 1 }), recordCount: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('retry' as const), producer: fc.integer({ min: 0, max: 1 }), back: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bump' as const), producer: fc.integer({ min: 0, max: 1 }) }) },
);

const firstSequenceArbitrary = fc.oneof(fc.constant(0), fc.integer({ min: 0x7fff_fff0, max: 0x7fff_ffff }), fc.integer({ min: 1, max: 1_000_000 }));

describe('Log idempotence model', () => {
  it('stores each batch once whatever the retries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }), fc.tuple(firstSequenceArbitrary, firstSequenceArbitrary), async (steps, firstSequences) => {
        const log = await Log.open(new MemoryStorage(), { clock: new FakeClock(), segmentBytes: 2048, maxBatchBytes: 1024, indexIntervalBytes: 128 });
        const producers = [0, 1].map((index) => ({
          producerId: 1000 + index,
          epoch: 0,
          nextSequence: firstSequences[index],
          sent: [] as Sent[],
        }));
        const stored: Sent[] = [];
        let counter = 0;
        for (const step of steps) {
          const producer = producers[step.producer];
          if (step.kind === 'bump') {
            producer.epoch++;
            producer.nextSequence = 0;
            continue;
          }
          if (step.kind === 'send') {
            const records = Array.from({ length: step.recordCount }, () => ({ key: null, value: new TextEncoder().encode(`v${counter++}`), timestamp: 1_000 }));
            const bytes = encodeRecordBatch(records, { producerId: producer.producerId, producerEpoch: producer.epoch, baseSequence: producer.nextSequence });
            const info = log.append(bytes);
            expect(info.duplicate).toBeUndefined();
            const sent = { epoch: producer.epoch, baseSequence: producer.nextSequence, recordCount: step.recordCount, bytes, baseOffset: info.baseOffset };
            producer.sent.push(sent);
            stored.push(sent);
            producer.nextSequence = (producer.nextSequence + step.recordCount) % 0x8000_0000;
            continue;
          }
          const target = producer.sent.at(-step.back);
          if (target === undefined) continue;
          // The partition knows the epochs it has stored, not the producer's bumps it has not seen.
          const lastEpoch = producer.sent.at(-1)!.epoch;
          const remembered = producer.sent.filter((sent) => sent.epoch === lastEpoch).slice(-5).includes(target);
          if (remembered) {
            expect(log.append(target.bytes)).toEqual({ baseOffset: target.baseOffset, lastOffset: target.baseOffset + target.recordCount - 1, recordCount: target.recordCount, duplicate: true });
          } else {
            expect(codeOf(() => log.append(target.bytes))).toBe(target.epoch < lastEpoch ? 47 : 45);
          }
        }
        const batches = log.read(0, 1 << 30).batches;
        expect(batches).toHaveLength(stored.length);
        batches.forEach((batch, i) => {
          const header = readBatchHeader(batch);
          expect([header.baseOffset, header.baseSequence, header.producerEpoch]).toEqual([stored[i].baseOffset, stored[i].baseSequence, stored[i].epoch]);
        });
      }),
      { numRuns: 150 },
    );
  });
});
