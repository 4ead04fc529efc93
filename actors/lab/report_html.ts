// The HTML report of a `lanes lab` run, pure: one self-contained page (inline CSS and SVG, no
// script, no external asset) that opens from a file, mails as an attachment and prints.
//
// One report, or several side by side (the variants of `--vary`): a summary table with a column
// per variant, then for each variant its charts (lag per partition and per member, throughput per
// member with the produce rate, rebalances shaded on every time axis), the time each member spent
// without partitions, the rebalances and the assignments over time.
import { escapeXml } from '../../bench/e2e/svg_chart.js';
import { formatDuration, formatRecords, palette, renderLineChart, type TimeBand } from './svg_line_chart.js';
import type { LabReport as CoreLabReport } from '../../core/lab/report.js';

/** A report as either engine writes it; the real engine adds the scale its rates ran at, its time scale and a note on both. */
export type LabReport = CoreLabReport & { readonly scale?: number; readonly timeScale?: number; readonly note?: string };

/** The label of a variant: what --vary changed, or the scenario's name. */
function variantLabel(report: LabReport): string {
  return report.variant === undefined ? report.scenario.name : `${report.variant.key}=${report.variant.value}`;
}

function summaryRows(reports: readonly LabReport[]): Array<{ label: string; values: string[] }> {
  const row = (label: string, value: (report: LabReport) => string) => ({ label, values: reports.map(value) });
  const count = (value: number | undefined) => (value === undefined ? '—' : formatRecords(value));
  return [
    row('engine', (r) => `${r.engine}${r.timeScale !== undefined && r.timeScale !== 1 ? ` (${r.timeScale}× faster)` : ''}${r.scale !== undefined && r.scale !== 1 ? ` (rates × ${Number(r.scale.toPrecision(3))})` : ''}`),
    row('seed', (r) => String(r.seed)),
    row('duration', (r) => formatDuration(r.scenario.durationMs)),
    row('max backlog', (r) => count(r.summary.maxBacklog)),
    row('final backlog', (r) => count(r.summary.finalBacklog)),
    row('records produced', (r) => count(r.summary.recordsProduced)),
    row('records processed', (r) => count(r.summary.recordsProcessed)),
    row('processed twice', (r) => count(r.summary.processedTwice)),
    row('skipped (never processed)', (r) => count(r.summary.skipped)),
    row('rebalances', (r) => String(r.rebalances.length)),
    row('time in rebalances', (r) => formatDuration(r.summary.rebalanceMs)),
    row('idle members', (r) => (r.summary.idleMembers.length === 0 ? 'none' : r.summary.idleMembers.join(', '))),
  ];
}

function summaryTable(reports: readonly LabReport[]): string {
  const head = reports.map((r) => `<th scope="col">${escapeXml(variantLabel(r))}</th>`).join('');
  const body = summaryRows(reports)
    .map((row) => `<tr><th scope="row">${escapeXml(row.label)}</th>${row.values.map((v) => `<td>${escapeXml(v)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="summary" data-summary><thead><tr><th></th>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Horizontal bars: the time each member was live but held no partition. */
function idleChart(report: LabReport, id: string): string {
  const entries = Object.entries(report.summary.idleMsByMember).sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }));
  const width = 720;
  const rowHeight = 18;
  const left = 150;
  const height = 30 + entries.length * rowHeight + 10;
  const max = Math.max(1, report.scenario.durationMs, ...entries.map(([, ms]) => ms));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(id)}" data-series="${entries.length}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold">Time without partitions, per member</text>`,
  ];
  entries.forEach(([member, ms], index) => {
    const top = 30 + index * rowHeight;
    const barWidth = Math.max(ms > 0 ? 1.5 : 0, ((width - left - 90) * ms) / max);
    parts.push(`<text x="${left - 6}" y="${top + 11}" text-anchor="end">${escapeXml(member)}</text>`);
    parts.push(`<rect class="bar" data-member="${escapeXml(member)}" data-ms="${ms}" x="${left}" y="${top + 2}" width="${Math.round(barWidth * 10) / 10}" height="${rowHeight - 5}" fill="${palette[3]}"/>`);
    parts.push(`<text x="${left + barWidth + 6}" y="${top + 11}">${escapeXml(formatDuration(ms))}</text>`);
  });
  if (entries.length === 0) parts.push(`<text x="${left}" y="44">no members</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function rebalanceTable(report: LabReport): string {
  if (report.rebalances.length === 0) return '<p class="none">No rebalances.</p>';
  const rows = report.rebalances.map((rebalance) => {
    const idle = Object.entries(rebalance.membersWithoutPartitionsMs)
      .filter(([, ms]) => ms > 0)
      .map(([member, ms]) => `${member} ${formatDuration(ms)}`)
      .join(', ');
    return (
      `<tr data-rebalance><td>${escapeXml(formatDuration(rebalance.startMs))}</td><td>${escapeXml(formatDuration(rebalance.endMs - rebalance.startMs))}</td>` +
      `<td>${escapeXml(rebalance.group)}</td><td>${escapeXml(rebalance.trigger)}${rebalance.settled ? '' : ' (not settled when the run ended)'}</td><td>${escapeXml(idle === '' ? '—' : idle)}</td></tr>`
    );
  });
  return `<table class="rebalances"><thead><tr><th>at</th><th>lasted</th><th>group</th><th>trigger</th><th>members without partitions</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Assignments after each change; a long run shows its first and last 20. */
function assignmentTable(report: LabReport): string {
  const all = report.assignments;
  if (all.length === 0) return '<p class="none">No assignments.</p>';
  const shown = all.length <= 40 ? all : [...all.slice(0, 20), null, ...all.slice(-20)];
  const rows = shown.map((step) => {
    if (step === null) return `<tr><td colspan="3">… ${all.length - 40} more …</td></tr>`;
    const members = Object.entries(step.byMember)
      .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }))
      .map(([member, partitions]) => `<b>${escapeXml(member)}</b>: ${escapeXml(partitions.length === 0 ? '—' : partitions.join(' '))}`)
      .join('<br>');
    return `<tr data-assignment><td>${escapeXml(formatDuration(step.atMs))}</td><td>${escapeXml(step.group)}</td><td>${members}</td></tr>`;
  });
  return `<table class="assignments"><thead><tr><th>at</th><th>group</th><th>partitions per member</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function variantSection(report: LabReport, index: number): string {
  const bands: TimeBand[] = report.rebalances.map((r) => ({ fromMs: r.startMs, toMs: r.endMs, label: `${r.group}: ${r.trigger}` }));
  const time = report.series.time;
  const toSeries = (record: Record<string, readonly number[]>) => Object.entries(record).map(([name, values]) => ({ name, values }));
  const id = (chart: string) => `${chart}:${index}`;
  const charts = [
    renderLineChart({ id: id('lag-partition'), title: 'Lag per partition', unit: 'records', timeMs: time, series: toSeries(report.series.lagByPartition), bands }),
    renderLineChart({ id: id('lag-member'), title: 'Lag per member (its partitions)', unit: 'records', timeMs: time, series: toSeries(report.series.lagByMember), bands }),
    renderLineChart({
      id: id('throughput'),
      title: 'Throughput per member (and produced)',
      unit: 'records/s',
      timeMs: time,
      series: [{ name: 'produced', values: report.series.producedPerSec }, ...toSeries(report.series.throughputByMember)],
      bands,
    }),
    idleChart(report, id('idle')),
  ];
  return (
    `<section class="variant" data-variant="${escapeXml(variantLabel(report))}">\n<h2>${escapeXml(variantLabel(report))}</h2>\n` +
    charts.map((chart) => `<figure>${chart}</figure>`).join('\n') +
    `\n<h3>Rebalances</h3>\n${rebalanceTable(report)}\n<h3>Assignments</h3>\n${assignmentTable(report)}\n</section>`
  );
}

const style = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; }
h1 { margin: 0 0 4px; font-size: 22px; }
p.description { margin: 0 0 16px; color: #57606a; max-width: 90ch; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
table.summary td { text-align: right; font-variant-numeric: tabular-nums; }
.variants { display: flex; gap: 24px; align-items: flex-start; overflow-x: auto; }
.variant { flex: 0 0 auto; max-width: 740px; }
figure { margin: 0 0 12px; }
p.none { color: #57606a; }
p.note { color: #57606a; font-size: 12px; }
`;

/** The whole page for one run, or for the variants of one scenario side by side. */
export function renderLabReport(input: LabReport | readonly LabReport[]): string {
  const reports = Array.isArray(input) ? (input as readonly LabReport[]) : [input as LabReport];
  if (reports.length === 0) throw new Error('renderLabReport needs at least one report');
  const scenario = reports[0].scenario;
  const notes = reports
    .filter((r) => r.note !== undefined)
    .map((r) => `<p class="note">${escapeXml(variantLabel(r))}: ${escapeXml(r.note!)}</p>`);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>lanes lab: ${escapeXml(scenario.name)}</title>`,
    `<style>${style}</style></head><body>`,
    `<h1>lanes lab: ${escapeXml(scenario.name)}</h1>`,
    `<p class="description">${escapeXml(scenario.description)}</p>`,
    ...notes,
    summaryTable(reports),
    `<div class="variants" data-variants="${reports.length}">`,
    ...reports.map((report, index) => variantSection(report, index)),
    '</div>',
    '</body></html>',
    '',
  ].join('\n');
}
