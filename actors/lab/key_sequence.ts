// The keys a real-time producer sends, in the scenario's distribution and reproducible for a seed.
// Keys are `k<rank>`; Kafka's murmur2 partitioner (the client's default) maps them to partitions.
import type { KeyDistribution } from '../../core/lab/scenario.js';

/** A function answering the next record's key (null: no key). */
export function keySequence(distribution: KeyDistribution, seed: number): () => string | null {
  const random = mulberry32(seed);
  switch (distribution.kind) {
    case 'none':
      return () => null;
    case 'uniform': {
      const count = distribution.count;
      return () => `k${Math.floor(random() * count)}`;
    }
    case 'hot': {
      const { count, hotShare } = distribution;
      return () => (count <= 1 || random() < hotShare ? 'k0' : `k${1 + Math.floor(random() * (count - 1))}`);
    }
    case 'zipf': {
      // Inverse CDF over the ranks' weights 1/r^s, by binary search.
      const cumulative = new Float64Array(distribution.count);
      let sum = 0;
      for (let rank = 1; rank <= distribution.count; rank++) cumulative[rank - 1] = sum += 1 / rank ** distribution.exponent;
      return () => {
        const target = random() * sum;
        let low = 0;
        let high = cumulative.length - 1;
        while (low < high) {
          const mid = (low + high) >>> 1;
          if (cumulative[mid] < target) low = mid + 1;
          else high = mid;
        }
        return `k${low}`;
      };
    }
  }
}

/** mulberry32: a small seeded PRNG, [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
