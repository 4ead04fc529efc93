// The statistics `lanes bench` reports: a user compares these figures across systems, so a wrong
// percentile rank, median or a ratio paired across rounds would mislead exactly the reader the
// benchmark is for.
import { describe, expect, it } from 'vitest';
import { formatCount, formatSpread, markdownTable, median, percentileNearestRank, ratiosWithinRounds, significant, spread } from '../../../bench/e2e/stats.js';

describe('percentileNearestRank', () => {
  it('takes rank ceil(q × n), 1-based, of the sorted values', () => {
    const values = [15, 20, 35, 40, 50]; // the textbook example of the nearest-rank method
    expect(percentileNearestRank(values, 0.05)).toBe(15);
    expect(percentileNearestRank(values, 0.3)).toBe(20);
    expect(percentileNearestRank(values, 0.4)).toBe(20);
    expect(percentileNearestRank(values, 0.5)).toBe(35);
    expect(percentileNearestRank(values, 1)).toBe(50);
  });

  it('sorts its input and never interpolates', () => {
    const values = Array.from({ length: 1000 }, (_, index) => 1000 - index); // 1000 … 1, descending
    expect(percentileNearestRank(values, 0.99)).toBe(990);
    expect(percentileNearestRank(values, 0.999)).toBe(999);
    expect(percentileNearestRank([3, 1, 2], 0.5)).toBe(2);
    expect(values[0]).toBe(1000); // the caller's array is left alone
  });

  it('refuses no values and quantiles outside (0, 1]', () => {
    expect(() => percentileNearestRank([], 0.5)).toThrow();
    expect(() => percentileNearestRank([1], 0)).toThrow();
    expect(() => percentileNearestRank([1], 1.5)).toThrow();
  });
});

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('keeps the values in round order beside median, min and max', () => {
    expect(spread([120_000, 90_000, 130_000])).toEqual({ median: 120_000, min: 90_000, max: 130_000, values: [120_000, 90_000, 130_000] });
  });

  it('refuses an empty set and non-finite values', () => {
    expect(() => median([])).toThrow();
    expect(() => spread([1, Number.NaN])).toThrow();
  });
});

describe('ratiosWithinRounds', () => {
  it('pairs each round with the same round, never across rounds', () => {
    const lanes = new Map([[1, 3_000_000], [2, 1_500_000], [3, 2_800_000]]);
    const peer = new Map([[1, 150_000], [2, 75_000], [3, 140_000]]);
    // Round 2 was slow for both: within-round ratios stay 20×, whereas median/median would too
    // but a best-vs-worst pairing would give 40×.
    expect(ratiosWithinRounds(lanes, peer)).toEqual([
      { round: 1, ratio: 20 },
      { round: 2, ratio: 20 },
      { round: 3, ratio: 20 },
    ]);
  });

  it('leaves out rounds one side did not measure, and zero denominators', () => {
    const lanes = new Map([[3, 9], [1, 10], [2, 8]]);
    const peer = new Map([[1, 2], [2, 0]]);
    expect(ratiosWithinRounds(lanes, peer)).toEqual([{ round: 1, ratio: 5 }]);
  });
});

describe('formatting', () => {
  it('writes counts with three significant digits and k/M suffixes', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(16_240)).toBe('16.2k');
    expect(formatCount(162_400)).toBe('162k');
    expect(formatCount(3_014_000)).toBe('3.01M');
    expect(significant(8.134)).toBe('8.13');
    expect(significant(31.24)).toBe('31.2');
    expect(significant(0.4123)).toBe('0.412');
  });

  it('writes a spread as median (min–max), or the median alone when the rounds agree', () => {
    expect(formatSpread(spread([130_000, 120_000, 140_000]), 'count')).toBe('130k (120k–140k)');
    expect(formatSpread(spread([8.13, 7.5, 9.2]), 'ms')).toBe('8.13 ms (7.50–9.20)');
    expect(formatSpread(spread([12.4, 11, 13.1]), 'ratio')).toBe('12.4× (11.0–13.1)');
    expect(formatSpread(spread([5]), 'ms')).toBe('5.00 ms');
    expect(formatSpread(spread([100_010, 100_020]), 'count')).toBe('100k');
  });

  it('builds a Markdown table with aligned columns and escaped pipes', () => {
    const table = markdownTable(['system', 'records/s'], [['redis | aof', '130k (120k–140k)']], ['l', 'r']);
    expect(table.split('\n')).toEqual(['| system | records/s |', '|---|--:|', '| redis \\| aof | 130k (120k–140k) |']);
    expect(() => markdownTable(['a', 'b'], [['only one']], ['l', 'r'])).toThrow();
  });
});
