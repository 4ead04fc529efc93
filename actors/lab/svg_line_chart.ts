// A hand-written SVG line chart over time for `lanes lab` reports, pure (no dependency, no DOM):
// one line per series on a shared time axis, shaded bands for rebalances, a legend. The bar
// charts of `lanes bench` (bench/e2e/svg_chart.ts) answer "which system is faster"; a lab run
// asks "what happened when", so this axis is time and linear (a backlog that doubles should look
// like it doubled).
//
// A run of an hour sampled every second has 3,600 points per series and a design may have 128
// partitions: drawn raw that is half a million points in one page. Each series is reduced to at
// most `maxPoints` buckets, keeping each bucket's maximum, so a spike of lag is never smoothed away.
import { formatCount } from '../../bench/e2e/stats.js';
import { escapeXml } from '../../bench/e2e/svg_chart.js';

export interface LineSeries {
  name: string;
  /** One value per entry of the chart's `timeMs`. */
  values: readonly number[];
}

export interface TimeBand {
  fromMs: number;
  toMs: number;
  label: string;
}

export interface LineChartInput {
  /** Becomes `data-chart` on the <svg>, for tests and links. */
  id: string;
  title: string;
  /** The y axis unit, e.g. "records" or "records/s". */
  unit: string;
  timeMs: readonly number[];
  series: readonly LineSeries[];
  bands?: readonly TimeBand[];
  width?: number;
  height?: number;
  maxPoints?: number;
}

/** Distinct hues first; a design with more series than colours reuses them (the legend says so). */
export const palette = ['#1f6feb', '#d73a49', '#2da44e', '#bf8700', '#8250df', '#0b8a8a', '#e36209', '#57606a', '#79b8ff', '#f9a3ad', '#8ddb8c', '#c297ff'];

const marginLeft = 64;
const marginRight = 16;
const marginTop = 30;
const marginBottom = 34;
/** Legend entries drawn; more series than this are summarised as "+N more". */
const legendMax = 12;

/** Indices of the buckets' maxima: at most `maxPoints` of `length` points, first and last kept. */
export function bucketIndices(values: readonly number[], maxPoints: number): number[] {
  const length = values.length;
  if (length <= maxPoints) return Array.from({ length }, (_, i) => i);
  const indices: number[] = [];
  const size = length / maxPoints;
  for (let bucket = 0; bucket < maxPoints; bucket++) {
    const from = Math.floor(bucket * size);
    const to = Math.min(length, Math.floor((bucket + 1) * size));
    let best = from;
    for (let i = from + 1; i < to; i++) if (values[i] > values[best]) best = i;
    indices.push(best);
  }
  if (indices[0] !== 0) indices.unshift(0);
  if (indices[indices.length - 1] !== length - 1) indices.push(length - 1);
  return indices;
}

/** A "nice" step (1, 2 or 5 times a power of ten) giving about `count` ticks over [0, max]. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Time labels in the unit the run's length reads best in. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(2)} h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1_000) return `${+(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

/** Whole records below a thousand (a backlog of 40 is not "40.0"), then 16.2k, 3.01M. */
export function formatRecords(value: number): string {
  return Math.abs(value) < 1_000 ? String(Math.round(value)) : formatCount(value);
}

function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function renderLineChart(input: LineChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 260;
  const maxPoints = input.maxPoints ?? 480;
  const time = input.timeMs;
  const plotWidth = width - marginLeft - marginRight;
  const plotHeight = height - marginTop - marginBottom;
  const legendRows = Math.ceil(Math.min(input.series.length, legendMax + 1) / 4);
  const totalHeight = height + legendRows * 16;
  const first = time.length === 0 ? 0 : time[0];
  const last = time.length === 0 ? 1 : Math.max(time[time.length - 1], first + 1);
  let yMax = 0;
  for (const series of input.series) for (const value of series.values) if (Number.isFinite(value) && value > yMax) yMax = value;
  const step = niceStep(yMax > 0 ? yMax : 1, 4);
  const yTop = Math.max(step, Math.ceil((yMax > 0 ? yMax : 1) / step) * step);
  const x = (ms: number) => marginLeft + ((ms - first) / (last - first)) * plotWidth;
  const y = (value: number) => marginTop + plotHeight - (Math.max(0, value) / yTop) * plotHeight;
  let points = 0;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(input.id)}" data-series="${input.series.length}" ` +
      `width="${width}" height="${totalHeight}" viewBox="0 0 ${width} ${totalHeight}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  parts.push(`<text x="${marginLeft}" y="18" font-size="13" font-weight="bold">${escapeXml(input.title)}</text>`);
  // Rebalances under the lines, so a line crossing one stays visible.
  for (const band of input.bands ?? []) {
    const from = x(Math.max(first, band.fromMs));
    const to = Math.max(from + 1.5, x(Math.min(last, band.toMs)));
    parts.push(
      `<rect class="band" data-band="${escapeXml(band.label)}" x="${coordinate(from)}" y="${marginTop}" width="${coordinate(to - from)}" height="${plotHeight}" fill="#bf8700" fill-opacity="0.18"><title>${escapeXml(band.label)}</title></rect>`,
    );
  }
  for (let tick = 0; tick <= yTop + step / 2; tick += step) {
    const ty = coordinate(y(tick));
    parts.push(`<line x1="${marginLeft}" x2="${width - marginRight}" y1="${ty}" y2="${ty}" stroke="#d0d7de" stroke-width="0.5"/>`);
    parts.push(`<text x="${marginLeft - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${formatRecords(tick)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const ms = first + ((last - first) * i) / 4;
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
    parts.push(`<text x="${coordinate(x(ms))}" y="${marginTop + plotHeight + 16}" text-anchor="${anchor}">${escapeXml(formatDuration(ms))}</text>`);
  }
  parts.push(
    `<text x="14" y="${marginTop + plotHeight / 2}" transform="rotate(-90 14 ${marginTop + plotHeight / 2})" text-anchor="middle">${escapeXml(input.unit)}</text>`,
  );
  parts.push(`<line x1="${marginLeft}" x2="${width - marginRight}" y1="${marginTop + plotHeight}" y2="${marginTop + plotHeight}" stroke="#57606a"/>`);
  input.series.forEach((series, index) => {
    const kept = bucketIndices(series.values, maxPoints).filter((i) => i < time.length && Number.isFinite(series.values[i]));
    points += kept.length;
    const path = kept.map((i, n) => `${n === 0 ? 'M' : 'L'}${coordinate(x(time[i]))} ${coordinate(y(series.values[i]))}`).join('');
    parts.push(
      `<path class="line" data-series-name="${escapeXml(series.name)}" d="${path}" fill="none" stroke="${palette[index % palette.length]}" stroke-width="1.5"><title>${escapeXml(series.name)}</title></path>`,
    );
  });
  const legendTop = height - 4;
  input.series.slice(0, legendMax).forEach((series, index) => {
    const lx = marginLeft + (index % 4) * (plotWidth / 4);
    const ly = legendTop + Math.floor(index / 4) * 16;
    parts.push(`<rect x="${coordinate(lx)}" y="${ly - 8}" width="10" height="10" fill="${palette[index % palette.length]}"/>`);
    parts.push(`<text x="${coordinate(lx + 14)}" y="${ly + 1}">${escapeXml(series.name)}</text>`);
  });
  if (input.series.length > legendMax) {
    const index = legendMax;
    parts.push(
      `<text x="${coordinate(marginLeft + (index % 4) * (plotWidth / 4))}" y="${legendTop + Math.floor(index / 4) * 16 + 1}">+${input.series.length - legendMax} more (colours repeat)</text>`,
    );
  }
  if (input.series.length === 0) parts.push(`<text x="${marginLeft + 8}" y="${marginTop + 20}">no data</text>`);
  parts.push('</svg>');
  return parts.join('\n').replace('class="chart"', `class="chart" data-points="${points}"`);
}
