// Summaries of a sampled series: extremes, ends, and the least-squares slope that says whether a
// figure is still climbing (a leak) or has levelled off (a slope near zero).

export interface SeriesSummary {
  min: number;
  max: number;
  first: number;
  last: number;
}

export function summarize(values: readonly number[]): SeriesSummary {
  if (values.length === 0) return { min: NaN, max: NaN, first: NaN, last: NaN };
  return { min: Math.min(...values), max: Math.max(...values), first: values[0], last: values[values.length - 1] };
}

/** The slope of the least-squares line through (x, y) points; NaN with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  let sumX = 0;
  let sumY = 0;
  for (const [x, y] of points) {
    sumX += x;
    sumY += y;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? NaN : covariance / variance;
}
