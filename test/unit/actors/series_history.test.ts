// The dashboard's chart history: aligned series, bounded length, series that come and go.
import { describe, expect, it } from 'vitest';
import { SeriesHistory } from '../../../actors/admin/series_history.js';

describe('SeriesHistory', () => {
  it('keeps every series aligned with the sample times, null where a series had no value', () => {
    const history = new SeriesHistory(10);
    history.record(1000, new Map([['orders', 5]]));
    history.record(2000, new Map([['orders', 7], ['payments', 1]]));
    history.record(3000, new Map([['payments', null]]));
    expect(history.snapshot()).toEqual({
      atMs: [1000, 2000, 3000],
      series: { orders: [5, 7, null], payments: [null, 1, null] },
    });
    expect(history.lastAtMs).toBe(3000);
  });

  it('keeps the newest pointsMax points and forgets a series once all its points aged out', () => {
    const history = new SeriesHistory(3);
    history.record(1, new Map([['gone', 1], ['stays', 1]]));
    for (let at = 2; at <= 5; at++) history.record(at, new Map([['stays', at]]));
    expect(history.snapshot()).toEqual({ atMs: [3, 4, 5], series: { stays: [3, 4, 5] } });
  });
});
