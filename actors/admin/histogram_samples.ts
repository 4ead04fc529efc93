// The samples of a Prometheus histogram family in the shape prom-client's Registry formats: for
// each labelled series, _bucket{le} cumulative and ending in +Inf = _count, then _sum and _count.
// Written once for the families Lanes aggregates itself (per-API request times, per-shard flushes).
//
// Main thread. Runs on scrape only.

export interface HistogramSample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Appends one series: `cumulativeCounts[i]` observations were at most `bounds[i]` seconds. */
export function pushHistogramSeries(
  values: HistogramSample[],
  name: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  cumulativeCounts: ArrayLike<number>,
  count: number,
  sumSeconds: number,
): void {
  bounds.forEach((le, index) => {
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulativeCounts[index] });
  });
  values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
  values.push({ metricName: `${name}_sum`, labels, value: sumSeconds });
  values.push({ metricName: `${name}_count`, labels, value: count });
}
