// The line chart's thinning: a long run drawn with at most maxPoints points per line must still
// show every peak (a spike of lag averaged away would hide what the run is about).
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { bucketIndices } from '../../../actors/lab/svg_line_chart.js';

it('keeps the first, the last and the maximum, in order, within maxPoints + 2 points', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 3_000 }), fc.integer({ min: 2, max: 500 }), (values, maxPoints) => {
      const kept = bucketIndices(values, maxPoints);
      expect(kept.length).toBeLessThanOrEqual(maxPoints + 2);
      expect(kept[0]).toBe(0);
      expect(kept[kept.length - 1]).toBe(values.length - 1);
      for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1]);
      expect(Math.max(...kept.map((i) => values[i]))).toBe(Math.max(...values));
    }),
  );
});
