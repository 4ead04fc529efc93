// The statistics of `lanes bench`, pure: nearest-rank percentiles, median and range over rounds,
// ratios paired within a round, and the formatting of those figures for the Markdown table.
//
// Why ratios within a round: the machine's state drifts (other processes, page cache, thermal),
// so Lanes in round 2 is compared with its peer in round 2, never with the peer's best round.
import { assert } from '../../core/assert.js';

/** Median, range and the values themselves, in round order. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

function ascending(values: readonly number[]): number[] {
  for (const value of values) assert(Number.isFinite(value), `a statistic needs finite numbers, got ${value}`);
  return [...values].sort((a, b) => a - b);
}

/**
 * The nearest-rank percentile: the smallest value with at least `quantile` of the values at or
 * below it (rank ceil(q × n), 1-based). Every answer is one of the values, never an interpolation.
 */
export function percentileNearestRank(values: readonly number[], quantile: number): number {
  return percentileOfSorted(ascending(values), quantile);
}

/** percentileNearestRank of values already sorted ascending (many percentiles of one big sample, sorted once). */
export function percentileOfSorted(sorted: ArrayLike<number>, quantile: number): number {
  assert(sorted.length > 0, 'a percentile of no values is undefined');
  assert(quantile > 0 && quantile <= 1, `a quantile lies in (0, 1], got ${quantile}`);
  const rank = Math.ceil(quantile * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The middle value; with an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  assert(values.length > 0, 'a median of no values is undefined');
  const sorted = ascending(values);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function spread(values: readonly number[]): Spread {
  assert(values.length > 0, 'a spread of no values is undefined');
  const sorted = ascending(values);
  return { median: median(sorted), min: sorted[0], max: sorted[sorted.length - 1], values: [...values] };
}

/**
 * numerator[round] / denominator[round] for every round both measured, in round order. A round
 * where either side is missing (skipped, failed) or the denominator is 0 gives no ratio: pairing
 * across rounds would mix the machine states the pairing exists to separate.
 */
export function ratiosWithinRounds(numerator: ReadonlyMap<number, number>, denominator: ReadonlyMap<number, number>): { round: number; ratio: number }[] {
  const ratios: { round: number; ratio: number }[] = [];
  for (const round of [...numerator.keys()].sort((a, b) => a - b)) {
    const top = numerator.get(round)!;
    const bottom = denominator.get(round);
    if (bottom === undefined || bottom === 0) continue;
    ratios.push({ round, ratio: top / bottom });
  }
  return ratios;
}

/** Three significant digits, with k/M suffixes: 950, 16.2k, 162k, 3.01M. */
export function formatCount(value: number): string {
  assert(Number.isFinite(value), `cannot format ${value}`);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${significant(value / 1e6)}M`;
  if (magnitude >= 1e3) return `${significant(value / 1e3)}k`;
  return significant(value);
}

/** Three significant digits (at most two decimals): 0.412, 8.13, 31.2, 1240. */
export function significant(value: number): string {
  assert(Number.isFinite(value), `cannot format ${value}`);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return String(Math.round(value));
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return '0';
  return value.toFixed(3);
}

export type FigureKind = 'count' | 'ms' | 'ratio';

function formatOne(value: number, kind: FigureKind): string {
  return kind === 'count' ? formatCount(value) : significant(value);
}

/**
 * "median (min–max)", or just the value when there was one round or every round agreed; the
 * unit goes after the median ("8.13 ms (7.50–9.20)", "12.4× (11.0–13.1)").
 */
export function formatSpread(figure: Spread, kind: FigureKind): string {
  const unit = kind === 'ms' ? ' ms' : kind === 'ratio' ? '×' : '';
  const middle = `${formatOne(figure.median, kind)}${unit}`;
  const low = formatOne(figure.min, kind);
  const high = formatOne(figure.max, kind);
  if (figure.values.length === 1 || low === high) return middle;
  return `${middle} (${low}–${high})`;
}

/** A Markdown table; `align` per column ('l' or 'r'); cells have their pipes escaped. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  assert(headers.length === align.length, 'one alignment per column');
  for (const row of rows) assert(row.length === headers.length, `a row has ${row.length} cells for ${headers.length} columns`);
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `| ${headers.map(cell).join(' | ')} |`,
    `|${align.map((side) => (side === 'r' ? '--:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}
