// The offsets of one partition that were processed, as disjoint half-open ranges, so the real
// engine can say how many records were processed twice (a range overlapping what is already
// there: a crash or a lost partition sent them round again) and how many were skipped (offsets a
// group committed but nobody processed: commit before processing, then a crash). Ranges arrive
// mostly in order and touch the previous one, so the set stays a handful of ranges long.

export class IntervalSet {
  /** Sorted, disjoint, non-adjacent [from, to) pairs. */
  private ranges: Array<[number, number]> = [];

  /** Adds [from, to); answers how many of its offsets were already in the set. */
  add(from: number, to: number): number {
    if (to <= from) return 0;
    let overlap = 0;
    let start = from;
    let end = to;
    const kept: Array<[number, number]> = [];
    for (const [a, b] of this.ranges) {
      if (b < start || a > end) {
        kept.push([a, b]);
        continue;
      }
      overlap += Math.max(0, Math.min(b, to) - Math.max(a, from));
      start = Math.min(start, a);
      end = Math.max(end, b);
    }
    kept.push([start, end]);
    kept.sort((x, y) => x[0] - y[0]);
    this.ranges = kept;
    return overlap;
  }

  /** Offsets in [0, upTo) not in the set. */
  missingBelow(upTo: number): number {
    let covered = 0;
    for (const [a, b] of this.ranges) covered += Math.max(0, Math.min(b, upTo) - Math.min(a, upTo));
    return Math.max(0, upTo - covered);
  }
}
