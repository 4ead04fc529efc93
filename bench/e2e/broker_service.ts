// The broker's own time per request, beside what the clients measure: `lanes bench` scrapes the
// Lanes broker's /metrics (lanes_request_service_seconds{api}: frame complete → response handed
// to the socket, a Fetch's long-poll wait left out) before and after each run, subtracts the two
// scrapes and estimates percentiles of the requests in between, so a slow client and a slow
// broker can be told apart. Pure (parsing, differences, quantiles) apart from `scrapeService`.

/** One API's histogram: upper bounds (seconds, ascending, +Inf excluded), cumulative counts. */
export interface ApiHistogram {
  bounds: number[];
  cumulative: number[];
  count: number;
  sumSeconds: number;
}

export type ServiceHistograms = Map<string, ApiHistogram>;

/** What a run reports per API: requests, and service time percentiles in ms (bucket estimates). */
export interface ServiceSummary {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export const serviceFamily = 'lanes_request_service_seconds';

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/;

function labelsOf(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const match of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels.set(match[1], match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
  return labels;
}

/** The family's histograms by api, from Prometheus text (other lines ignored). */
export function parseServiceHistograms(text: string, family = serviceFamily): ServiceHistograms {
  const byApi: ServiceHistograms = new Map();
  const entry = (api: string): ApiHistogram => {
    let found = byApi.get(api);
    if (found === undefined) byApi.set(api, (found = { bounds: [], cumulative: [], count: 0, sumSeconds: 0 }));
    return found;
  };
  for (const line of text.split('\n')) {
    if (!line.startsWith(family)) continue;
    const match = sampleLine.exec(line);
    if (match === null) continue;
    const [, name, labelText, valueText] = match;
    const labels = labelsOf(labelText);
    const api = labels.get('api');
    const value = Number(valueText);
    if (api === undefined || !Number.isFinite(value)) continue;
    if (name === `${family}_bucket`) {
      const le = labels.get('le');
      if (le === undefined || le === '+Inf') continue;
      const histogram = entry(api);
      histogram.bounds.push(Number(le));
      histogram.cumulative.push(value);
    } else if (name === `${family}_count`) entry(api).count = value;
    else if (name === `${family}_sum`) entry(api).sumSeconds = value;
  }
  for (const histogram of byApi.values()) {
    const order = histogram.bounds.map((_, index) => index).sort((a, b) => histogram.bounds[a] - histogram.bounds[b]);
    histogram.bounds = order.map((index) => histogram.bounds[index]);
    histogram.cumulative = order.map((index) => histogram.cumulative[index]);
  }
  return byApi;
}

/** after − before, per api (an api absent before counts from zero); apis with no new requests are left out. */
export function serviceDelta(before: ServiceHistograms, after: ServiceHistograms): ServiceHistograms {
  const delta: ServiceHistograms = new Map();
  for (const [api, late] of after) {
    const early = before.get(api);
    const count = late.count - (early?.count ?? 0);
    if (count <= 0) continue;
    delta.set(api, {
      bounds: [...late.bounds],
      cumulative: late.cumulative.map((value, index) => value - (early?.cumulative[index] ?? 0)),
      count,
      sumSeconds: late.sumSeconds - (early?.sumSeconds ?? 0),
    });
  }
  return delta;
}

/**
 * The quantile as Prometheus' histogram_quantile estimates it: linear within the bucket that
 * holds the rank (from 0 for the first bucket); past the last finite bound, that bound.
 */
export function histogramQuantile(histogram: ApiHistogram, quantile: number): number {
  if (histogram.count <= 0) return Number.NaN;
  const rank = quantile * histogram.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (let index = 0; index < histogram.bounds.length; index++) {
    const upperCount = histogram.cumulative[index];
    if (upperCount >= rank && upperCount > lowerCount) {
      return lowerBound + ((histogram.bounds[index] - lowerBound) * (rank - lowerCount)) / (upperCount - lowerCount);
    }
    lowerBound = histogram.bounds[index];
    lowerCount = upperCount;
  }
  return lowerBound;
}

export function summarizeService(delta: ServiceHistograms): Record<string, ServiceSummary> {
  const out: Record<string, ServiceSummary> = {};
  for (const [api, histogram] of [...delta].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[api] = {
      requests: histogram.count,
      p50Ms: histogramQuantile(histogram, 0.5) * 1000,
      p99Ms: histogramQuantile(histogram, 0.99) * 1000,
      meanMs: (histogram.sumSeconds / histogram.count) * 1000,
    };
  }
  return out;
}

/** GET <adminUrl>/metrics, parsed; throws if the broker does not answer. */
export async function scrapeService(adminUrl: string): Promise<ServiceHistograms> {
  const response = await fetch(`${adminUrl}/metrics`);
  if (!response.ok) throw new Error(`GET ${adminUrl}/metrics answered ${response.status}`);
  return parseServiceHistograms(await response.text());
}

/**
 * Runs `run` between two scrapes of the broker's service histograms; the run's result gets the
 * per-API summary of the requests in between (or none, if a scrape failed: the run still counts).
 */
export async function withBrokerService<T extends object>(adminUrl: string | null, run: () => Promise<T>): Promise<T & { brokerService?: Record<string, ServiceSummary> }> {
  if (adminUrl === null) return run();
  const before = await scrapeService(adminUrl).catch(() => null);
  const result = await run();
  if (before === null) return result;
  const after = await scrapeService(adminUrl).catch(() => null);
  if (after === null) return result;
  return { ...result, brokerService: summarizeService(serviceDelta(before, after)) };
}
