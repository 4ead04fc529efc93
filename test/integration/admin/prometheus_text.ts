// A strict reader of Prometheus' text exposition format (version 0.0.4), for the tests: every
// line must be a HELP, a TYPE, a comment, blank, or a sample of a family whose TYPE came first;
// label values must be properly quoted and escaped; no series twice; histogram buckets are
// cumulative and end in +Inf equal to _count. Throws naming the offending line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * A sample value as the format defines it: what Go's strconv.ParseFloat accepts, which matches
 * NaN and Inf ignoring case. (prom-client writes NaN as "Nan": nodejs_eventloop_lag_mean_seconds
 * before its first event-loop sample, so a scrape right after start has one.)
 */
function parseValue(text: string, line: string): number {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf' || special === '+infinity' || special === 'infinity') return Infinity;
  if (special === '-inf' || special === '-infinity') return -Infinity;
  if (special === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`not a sample value: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  return Number(text);
}

/** Parses `{a="x",b="y"}` starting at `at` (the brace); returns the labels and the index after `}`. */
function parseLabels(line: string, at: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  const fail = (why: string): never => {
    throw new Error(`${why} at column ${i} of ${JSON.stringify(line)}`);
  };
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) fail('label without =');
    const name = line.slice(i, eq);
    if (!labelName.test(name)) fail(`bad label name ${JSON.stringify(name)}`);
    if (name in labels) fail(`label ${name} twice`);
    i = eq + 1;
    if (line[i] !== '"') fail('label value not quoted');
    i += 1;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) fail('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else fail(`bad escape \\${next}`);
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    labels[name] = value;
    i += 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') fail('expected , or }');
  }
  return { labels, end: i + 1 };
}

function familyOf(name: string, typed: Map<string, string>): string | undefined {
  if (typed.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = typed.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const seen = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const parts = line.split(' ');
      if (parts[1] === 'HELP') {
        if (!metricName.test(parts[2] ?? '')) throw new Error(`bad HELP line ${JSON.stringify(line)}`);
        if (helped.has(parts[2])) throw new Error(`HELP for ${parts[2]} twice`);
        helped.add(parts[2]);
      } else if (parts[1] === 'TYPE') {
        if (parts.length !== 4 || !metricName.test(parts[2]) || !types.has(parts[3])) throw new Error(`bad TYPE line ${JSON.stringify(line)}`);
        if (typed.has(parts[2])) throw new Error(`TYPE for ${parts[2]} twice`);
        typed.set(parts[2], parts[3]);
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd < 0) throw new Error(`sample without a value: ${JSON.stringify(line)}`);
    const name = line.slice(0, nameEnd);
    if (!metricName.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
    if (familyOf(name, typed) === undefined) throw new Error(`sample of ${name} before its TYPE line`);
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') ({ labels, end: rest } = parseLabels(line, nameEnd));
    if (line[rest] !== ' ') throw new Error(`expected a space before the value in ${JSON.stringify(line)}`);
    const fields = line.slice(rest + 1).split(' ');
    if (fields.length > 2 || (fields.length === 2 && !/^-?\d+$/.test(fields[1]))) throw new Error(`bad value or timestamp in ${JSON.stringify(line)}`);
    const value = parseValue(fields[0], line);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`series twice: ${series}`);
    seen.add(series);
    samples.push({ name, labels, value });
  }
  checkHistograms(samples, typed);
  return samples;
}

function checkHistograms(samples: Sample[], typed: Map<string, string>): void {
  for (const [family, type] of typed) {
    if (type !== 'histogram') continue;
    const series = new Map<string, { le: number; value: number }[]>();
    for (const s of samples.filter((sample) => sample.name === `${family}_bucket`)) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${family}_bucket without le`);
      const key = JSON.stringify(Object.entries(rest).sort());
      series.set(key, [...(series.get(key) ?? []), { le: parseValue(le, le), value: s.value }]);
    }
    for (const [key, buckets] of series) {
      buckets.sort((a, b) => a.le - b.le);
      for (let i = 1; i < buckets.length; i++) if (buckets[i].value < buckets[i - 1].value) throw new Error(`${family}${key}: buckets not cumulative`);
      const last = buckets[buckets.length - 1];
      if (last.le !== Infinity) throw new Error(`${family}${key}: no +Inf bucket`);
      const count = samples.find((s) => s.name === `${family}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key);
      if (count?.value !== last.value) throw new Error(`${family}${key}: +Inf bucket ${last.value} is not _count ${count?.value}`);
    }
  }
}

/** The value of the one sample with exactly these labels; undefined when there is none. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string>): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value;
}
