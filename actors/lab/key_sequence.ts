// The keys a real-time producer sends, in the scenario's distribution, named as the virtual
// engine names them (core/lab/production.ts's labKey) so Kafka's partitioner puts them on the
// same partitions. Uniform keys are sent in turn and the hot key at exactly its share, so over a
// run each partition gets the share the virtual engine computes (to within one record per key);
// zipf keys are drawn from the seeded generator.
import { labKey } from '../../core/lab/production.js';
import type { KeyDistribution } from '../../core/lab/scenario.js';
import { Prng } from '../../core/prng.js';

/** A function answering the next record's key (null: no key). */
export function keySequence(distribution: KeyDistribution, seed: number): () => string | null {
  let sent = 0;
  switch (distribution.kind) {
    case 'none':
      return () => null;
    case 'uniform': {
      const count = distribution.count;
      return () => labKey(sent++ % count);
    }
    case 'hot': {
      const { count, hotShare } = distribution;
      let hot = 0;
      let cold = 0;
      // The hot key whenever its running count falls below its share of what was sent.
      return () => {
        sent++;
        if (count <= 1 || hot < Math.floor(sent * hotShare)) {
          hot++;
          return labKey(0);
        }
        return labKey(1 + (cold++ % (count - 1)));
      };
    }
    case 'zipf': {
      const prng = new Prng(seed);
      // Inverse CDF over the ranks' weights 1/r^s, by binary search.
      const cumulative = new Float64Array(distribution.count);
      let sum = 0;
      for (let rank = 1; rank <= distribution.count; rank++) cumulative[rank - 1] = sum += rank ** -distribution.exponent;
      return () => {
        const target = prng.next() * sum;
        let low = 0;
        let high = cumulative.length - 1;
        while (low < high) {
          const mid = (low + high) >>> 1;
          if (cumulative[mid] < target) low = mid + 1;
          else high = mid;
        }
        return labKey(low);
      };
    }
  }
}
