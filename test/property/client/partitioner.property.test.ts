// Properties users rely on when they key records: a key always lands in the same partition for
// the same partition count (whatever else the producer did in between), always in range, and
// exactly where kafkajs's port of the Java client puts it.

import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, Partitioner } from '../../../core/client/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

describe('partitioner properties', () => {
  it('murmur2 equals kafkajs on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (key) => {
        expect(murmur2(key)).toBe(kafkajsMurmur2(Buffer.from(key)));
      }),
      { numRuns: 500 },
    );
  });

  it('a key lands in the same in-range partition however keyless traffic and closed batches interleave', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('keyless' as const) }),
      fc.record({ kind: fc.constant('close' as const), partition: fc.nat(31) }),
      fc.record({ kind: fc.constant('keyed' as const), key: fc.string({ maxLength: 12 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.constantFrom('sticky' as const, 'round-robin' as const),
        fc.array(operation, { maxLength: 40 }),
        fc.integer(),
        (partitionCount, nullKeyStrategy, operations, seed) => {
          let state = seed >>> 0;
          const partitioner = new Partitioner({ nullKeyStrategy, randomUint32: () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) });
          for (const op of operations) {
            if (op.kind === 'close') {
              partitioner.batchClosed({ topic: 't', partitionCount, partition: op.partition % partitionCount });
              continue;
            }
            const key = op.kind === 'keyed' ? op.key : null;
            const partition = partitioner.partition({ topic: 't', partitionCount, key });
            expect(partition).toBeGreaterThanOrEqual(0);
            expect(partition).toBeLessThan(partitionCount);
            if (key !== null) expect(partition).toBe((kafkajsMurmur2(key) & 0x7fffffff) % partitionCount);
            if (key !== null) expect(partition).toBe(partitionForKey(key, partitionCount));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
