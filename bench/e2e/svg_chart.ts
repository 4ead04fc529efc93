// A hand-written SVG bar chart for `lanes bench` results, pure (no dependency, no DOM): panels
// stacked vertically, each a group of bars per category (a workload, a percentile) with one bar
// per system, the bar at the median and a thin line over the range of the rounds.
//
// Scales are logarithmic: Lanes and its peers differ by more than an order of magnitude, and on
// a linear axis the smaller bars would be invisible slivers. Every bar carries its value as text,
// so nobody has to read a log axis.
import { assert } from '../../core/assert.js';
import { formatCount, significant, type Spread } from './stats.js';

export interface ChartSeries {
  /** The system's label, shown in the legend. */
  name: string;
  /** One entry per category of the panel; null: not measured (skipped, failed). */
  values: (Spread | null)[];
}

export interface ChartPanel {
  title: string;
  /** The axis unit, e.g. "records/s" or "ms". */
  unit: string;
  /** 'count' labels as 162k / 3.01M; 'ms' as 8.13. */
  kind: 'count' | 'ms';
  categories: string[];
  series: ChartSeries[];
}

export interface ChartInput {
  title: string;
  /** Smaller lines under the title: machine, command. */
  notes: string[];
  panels: ChartPanel[];
}

const palette = ['#1f6feb', '#79b8ff', '#0b4f9c', '#d73a49', '#f9a3ad', '#2da44e', '#8ddb8c', '#bf8700', '#8250df', '#57606a'];

const width = 960;
const marginLeft = 70;
const marginRight = 20;
const panelHeight = 300;
const plotTop = 36;
const plotBottom = 60;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function number(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function label(value: number, kind: 'count' | 'ms'): string {
  return kind === 'count' ? formatCount(value) : significant(value);
}

/** Powers of ten covering [low, high]. */
function decades(low: number, high: number): { from: number; to: number } {
  assert(low > 0 && high >= low, `a log axis needs 0 < low <= high, got ${low}..${high}`);
  const from = Math.floor(Math.log10(low));
  const to = Math.max(from + 1, Math.ceil(Math.log10(high)));
  return { from, to };
}

function panelSvg(panel: ChartPanel, top: number, seriesColor: (index: number) => string): string {
  for (const series of panel.series) assert(series.values.length === panel.categories.length, `series ${series.name}: one value per category`);
  const present = panel.series.flatMap((series) => series.values.filter((value): value is Spread => value !== null));
  const parts: string[] = [];
  parts.push(`<g class="panel" transform="translate(0 ${top})">`);
  parts.push(`<text x="${marginLeft}" y="20" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`);
  const plotHeight = panelHeight - plotTop - plotBottom;
  const plotWidth = width - marginLeft - marginRight;
  if (present.length === 0) {
    parts.push(`<text x="${marginLeft}" y="${plotTop + 20}" font-size="12">no measurements</text>`);
    parts.push('</g>');
    return parts.join('\n');
  }
  const positive = present.flatMap((value) => [value.min, value.max]).filter((value) => value > 0);
  // The axis spans the data's decades (an empty panel gets one decade from 0.001).
  const { from, to } = positive.length === 0 ? decades(1e-3, 1e-2) : decades(Math.min(...positive), Math.max(...positive));
  const y = (value: number) => plotTop + plotHeight - ((Math.log10(Math.max(value, 10 ** from)) - from) / (to - from)) * plotHeight;
  for (let power = from; power <= to; power++) {
    const at = number(y(10 ** power));
    parts.push(`<line x1="${marginLeft}" y1="${at}" x2="${width - marginRight}" y2="${at}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${marginLeft - 6}" y="${at}" font-size="11" text-anchor="end" dominant-baseline="middle">${escapeXml(label(10 ** power, panel.kind))}</text>`);
  }
  parts.push(
    `<text x="14" y="${number(plotTop + plotHeight / 2)}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${number(plotTop + plotHeight / 2)})">${escapeXml(`${panel.unit} (log scale)`)}</text>`,
  );
  const groupWidth = plotWidth / panel.categories.length;
  const barWidth = Math.min(40, (groupWidth * 0.8) / Math.max(1, panel.series.length));
  panel.categories.forEach((category, categoryIndex) => {
    const groupLeft = marginLeft + categoryIndex * groupWidth + (groupWidth - barWidth * panel.series.length) / 2;
    parts.push(`<g class="group" data-category="${escapeXml(category)}">`);
    panel.series.forEach((series, seriesIndex) => {
      const value = series.values[categoryIndex];
      if (value === null) return;
      const left = groupLeft + seriesIndex * barWidth;
      const barTop = y(value.median);
      const baseline = plotTop + plotHeight;
      parts.push(
        `<rect class="bar" data-system="${escapeXml(series.name)}" x="${number(left)}" y="${number(barTop)}" width="${number(barWidth - 2)}" height="${number(Math.max(0, baseline - barTop))}" fill="${seriesColor(seriesIndex)}">` +
          `<title>${escapeXml(`${series.name}, ${category}: ${label(value.median, panel.kind)} ${panel.unit} (range ${label(value.min, panel.kind)}–${label(value.max, panel.kind)})`)}</title></rect>`,
      );
      const middle = number(left + (barWidth - 2) / 2);
      parts.push(`<line class="range" x1="${middle}" y1="${number(y(value.min))}" x2="${middle}" y2="${number(y(value.max))}" stroke="#24292f" stroke-width="1.5"/>`);
      parts.push(
        `<text x="${middle}" y="${number(Math.min(barTop, y(value.max)) - 4)}" font-size="9" text-anchor="middle">${escapeXml(label(value.median, panel.kind))}</text>`,
      );
    });
    parts.push(`<text x="${number(marginLeft + (categoryIndex + 0.5) * groupWidth)}" y="${plotTop + plotHeight + 16}" font-size="12" text-anchor="middle">${escapeXml(category)}</text>`);
    parts.push('</g>');
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** The whole chart as an SVG document (UTF-8, no XML declaration needed). */
export function renderChart(input: ChartInput): string {
  assert(input.panels.length > 0, 'a chart has at least one panel');
  const names: string[] = [];
  for (const panel of input.panels) for (const series of panel.series) if (!names.includes(series.name)) names.push(series.name);
  const colorOf = (name: string) => palette[names.indexOf(name) % palette.length];
  const headerHeight = 30 + 16 * input.notes.length;
  const legendRows = Math.ceil(names.length / 4);
  const legendHeight = 20 * legendRows + 10;
  const height = headerHeight + legendHeight + panelHeight * input.panels.length;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${marginLeft}" y="22" font-size="18" font-weight="bold">${escapeXml(input.title)}</text>`);
  input.notes.forEach((note, index) => parts.push(`<text x="${marginLeft}" y="${40 + 16 * index}" font-size="11" fill="#57606a">${escapeXml(note)}</text>`));
  parts.push(`<g class="legend" transform="translate(${marginLeft} ${headerHeight})">`);
  names.forEach((name, index) => {
    const x = (index % 4) * 215;
    const y = Math.floor(index / 4) * 20;
    parts.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${colorOf(name)}"/>`);
    parts.push(`<text x="${x + 18}" y="${y + 10}" font-size="12">${escapeXml(name)}</text>`);
  });
  parts.push('</g>');
  input.panels.forEach((panel, index) => {
    const panelColor = (seriesIndex: number) => colorOf(panel.series[seriesIndex].name);
    parts.push(panelSvg(panel, headerHeight + legendHeight + index * panelHeight, panelColor));
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
