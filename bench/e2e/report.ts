// From the run records of `lanes bench` to what a reader sees: per system and workload the
// median and range over rounds, the Lanes/peer ratios paired within each round, the Markdown
// tables and the chart's panels. Pure: no files, no clock.
import type { ChartInput, ChartPanel } from './svg_chart.js';
import { formatSpread, markdownTable, ratiosWithinRounds, spread, type Spread } from './stats.js';
import type { RunRecord } from './runner.js';
import { rateName, type Measurement, type Workload } from './workloads.js';

export interface SystemInfo {
  id: string;
  label: string;
  durability: string;
  durable: boolean;
}

/** One figure of one system over the rounds: the round numbers say which value is which. */
export interface FigureSummary {
  system: string;
  workload: string;
  metric: Metric;
  rounds: number[];
  spread: Spread;
}

export type Metric =
  | 'recordsPerSecond'
  | 'e2eP50Ms'
  | 'e2eP99Ms'
  | 'e2eP999Ms'
  | 'ackP50Ms'
  | 'ackP99Ms'
  /** The broker's own service time (lanes_request_service_seconds over the run), Lanes over the wire only. */
  | 'brokerProduceP50Ms'
  | 'brokerProduceP99Ms'
  | 'brokerFetchP99Ms';

const brokerMetrics: Metric[] = ['brokerProduceP50Ms', 'brokerProduceP99Ms', 'brokerFetchP99Ms'];

export interface RatioSummary {
  lanes: string;
  peer: string;
  workload: string;
  /** 'throughput': Lanes records/s ÷ peer records/s; 'p99': peer end-to-end p99 ÷ Lanes p99. */
  kind: 'throughput' | 'p99';
  perRound: { round: number; ratio: number }[];
  spread: Spread | null;
}

function metricValue(measurement: Measurement, metric: Metric): number | undefined {
  switch (metric) {
    case 'recordsPerSecond':
      return measurement.recordsPerSecond;
    case 'e2eP50Ms':
      return measurement.endToEndLatencyMs?.p50;
    case 'e2eP99Ms':
      return measurement.endToEndLatencyMs?.p99;
    case 'e2eP999Ms':
      return measurement.endToEndLatencyMs?.p999;
    case 'ackP50Ms':
      return measurement.ackLatencyMs?.p50;
    case 'ackP99Ms':
      return measurement.ackLatencyMs?.p99;
    case 'brokerProduceP50Ms':
      return measurement.brokerService?.Produce?.p50Ms;
    case 'brokerProduceP99Ms':
      return measurement.brokerService?.Produce?.p99Ms;
    case 'brokerFetchP99Ms':
      return measurement.brokerService?.Fetch?.p99Ms;
  }
}

/** round → value of one metric, for the runs that measured it completely (no note). */
export function byRound(records: readonly RunRecord[], system: string, workload: string, metric: Metric): Map<number, number> {
  const values = new Map<number, number>();
  for (const record of records) {
    if (record.system !== system || record.workload !== workload || record.measurement === null) continue;
    if (record.measurement.note !== undefined) continue; // a drained-short run would flatter its figures
    const value = metricValue(record.measurement, metric);
    if (value !== undefined && Number.isFinite(value)) values.set(record.round, value);
  }
  return values;
}

export function summarize(records: readonly RunRecord[], systems: readonly SystemInfo[], workloads: readonly Workload[]): FigureSummary[] {
  const summaries: FigureSummary[] = [];
  for (const system of systems) {
    for (const workload of workloads) {
      const metrics: Metric[] = workload.kind === 'latency' ? ['e2eP50Ms', 'e2eP99Ms', 'e2eP999Ms', 'ackP50Ms', 'ackP99Ms', ...brokerMetrics] : ['recordsPerSecond', ...brokerMetrics];
      for (const metric of metrics) {
        const values = byRound(records, system.id, workload.id, metric);
        if (values.size === 0) continue;
        const rounds = [...values.keys()].sort((a, b) => a - b);
        summaries.push({ system: system.id, workload: workload.id, metric, rounds, spread: spread(rounds.map((round) => values.get(round)!)) });
      }
    }
  }
  return summaries;
}

/** Lanes over the wire against each peer of the same durability class, within each round. */
export function ratios(records: readonly RunRecord[], systems: readonly SystemInfo[], workloads: readonly Workload[]): RatioSummary[] {
  const out: RatioSummary[] = [];
  const lanesFor = (durable: boolean) => (durable ? 'lanes-wire-fsync' : 'lanes-wire');
  for (const peer of systems) {
    if (peer.id.startsWith('lanes-')) continue;
    const lanes = lanesFor(peer.durable);
    if (!systems.some((system) => system.id === lanes)) continue;
    for (const workload of workloads) {
      const kind = workload.kind === 'latency' ? 'p99' : 'throughput';
      const metric: Metric = kind === 'p99' ? 'e2eP99Ms' : 'recordsPerSecond';
      const ours = byRound(records, lanes, workload.id, metric);
      const theirs = byRound(records, peer.id, workload.id, metric);
      const perRound = kind === 'p99' ? ratiosWithinRounds(theirs, ours) : ratiosWithinRounds(ours, theirs);
      out.push({ lanes, peer: peer.id, workload: workload.id, kind, perRound, spread: perRound.length === 0 ? null : spread(perRound.map((entry) => entry.ratio)) });
    }
  }
  return out;
}

function find(summaries: readonly FigureSummary[], system: string, workload: string, metric: Metric): Spread | null {
  return summaries.find((summary) => summary.system === system && summary.workload === workload && summary.metric === metric)?.spread ?? null;
}

const dash = '–';

/** The three tables: throughput, latency, ratios. */
export function markdownReport(summaries: readonly FigureSummary[], ratioSummaries: readonly RatioSummary[], systems: readonly SystemInfo[], workloads: readonly Workload[]): string {
  const label = (id: string) => systems.find((system) => system.id === id)?.label ?? id;
  const throughputWorkloads = workloads.filter((workload) => workload.kind !== 'latency');
  const latencyWorkloads = workloads.filter((workload) => workload.kind === 'latency');
  const sections: string[] = [];
  if (throughputWorkloads.length > 0) {
    sections.push(
      '**Throughput**, records/s, median (min–max) over the rounds:',
      '',
      markdownTable(
        ['system', ...throughputWorkloads.map((workload) => workload.id)],
        systems.map((system) => [system.label, ...throughputWorkloads.map((workload) => cell(find(summaries, system.id, workload.id, 'recordsPerSecond'), 'count'))]),
        ['l', ...throughputWorkloads.map(() => 'r' as const)],
      ),
    );
  }
  if (latencyWorkloads.length > 0) {
    sections.push(
      '',
      '**Latency** at fixed rates, ms from the intended send time (from the actual one for a send made up to a 1 ms tick early), median (min–max) over the rounds; end to end = handed to a group member:',
      '',
      markdownTable(
        ['system', 'rate', 'e2e p50', 'e2e p99', 'e2e p99.9', 'ack p99'],
        systems.flatMap((system) =>
          latencyWorkloads.map((workload) => [
            system.label,
            rateLabel(workload),
            cell(find(summaries, system.id, workload.id, 'e2eP50Ms'), 'ms'),
            cell(find(summaries, system.id, workload.id, 'e2eP99Ms'), 'ms'),
            cell(find(summaries, system.id, workload.id, 'e2eP999Ms'), 'ms'),
            cell(find(summaries, system.id, workload.id, 'ackP99Ms'), 'ms'),
          ]),
        ),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  const pairs = [...new Set(ratioSummaries.map((ratio) => `${ratio.lanes}|${ratio.peer}`))];
  if (pairs.length > 0) {
    sections.push(
      '',
      '**Ratios within a round**, median (min–max): throughput = Lanes ÷ peer; p99 = peer end-to-end p99 ÷ Lanes p99 (how many times lower):',
      '',
      markdownTable(
        ['Lanes', 'peer', ...workloads.map((workload) => (workload.kind === 'latency' ? `p99 @ ${rateLabel(workload)}` : workload.id))],
        pairs.map((pair) => {
          const [lanes, peer] = pair.split('|');
          return [
            label(lanes),
            label(peer),
            ...workloads.map((workload) => {
              const found = ratioSummaries.find((ratio) => ratio.lanes === lanes && ratio.peer === peer && ratio.workload === workload.id);
              return cell(found?.spread ?? null, 'ratio');
            }),
          ];
        }),
        ['l', 'l', ...workloads.map(() => 'r' as const)],
      ),
    );
  }
  const served = systems.filter((system) => summaries.some((summary) => summary.system === system.id && brokerMetrics.includes(summary.metric)));
  if (served.length > 0) {
    sections.push(
      '',
      "**Broker service time** (Lanes over the wire): the broker's own time per request, frame received → response handed to the socket (a Fetch's long-poll wait left out), from its `lanes_request_service_seconds` histogram scraped before and after each run (bucket estimates, as histogram_quantile), beside what the client measured; median (min–max) over the rounds. Client ack ≫ broker Produce: the time is in the client or the network, not the broker:",
      '',
      markdownTable(
        ['system', 'workload', 'client ack p50', 'broker Produce p50', 'client ack p99', 'broker Produce p99', 'client e2e p99', 'broker Fetch p99'],
        served.flatMap((system) =>
          workloads
            .filter((workload) => brokerMetrics.some((metric) => find(summaries, system.id, workload.id, metric) !== null))
            .map((workload) => [
              system.label,
              workload.kind === 'latency' ? `latency ${rateLabel(workload)}` : workload.id,
              cell(find(summaries, system.id, workload.id, 'ackP50Ms'), 'ms'),
              cell(find(summaries, system.id, workload.id, 'brokerProduceP50Ms'), 'ms'),
              cell(find(summaries, system.id, workload.id, 'ackP99Ms'), 'ms'),
              cell(find(summaries, system.id, workload.id, 'brokerProduceP99Ms'), 'ms'),
              cell(find(summaries, system.id, workload.id, 'e2eP99Ms'), 'ms'),
              cell(find(summaries, system.id, workload.id, 'brokerFetchP99Ms'), 'ms'),
            ]),
        ),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  return sections.join('\n');
}

/** "50k/s", or "5k/s, 1 per send" for the single-record run. */
export function rateLabel(workload: Workload): string {
  const rate = `${rateName(workload.ratePerSecond ?? 0)}/s`;
  return workload.recordsPerTick === 1 ? `${rate}, 1 per send` : rate;
}

function cell(figure: Spread | null, kind: 'count' | 'ms' | 'ratio'): string {
  return figure === null ? dash : formatSpread(figure, kind);
}

export function chartInput(title: string, notes: string[], summaries: readonly FigureSummary[], systems: readonly SystemInfo[], workloads: readonly Workload[]): ChartInput {
  const panels: ChartPanel[] = [];
  const throughputWorkloads = workloads.filter((workload) => workload.kind !== 'latency');
  if (throughputWorkloads.length > 0) {
    panels.push({
      title: 'Throughput (records/s; bar = median of the rounds, line = range)',
      unit: 'records/s',
      kind: 'count',
      categories: throughputWorkloads.map((workload) => workload.id),
      series: systems.map((system) => ({ name: system.label, values: throughputWorkloads.map((workload) => find(summaries, system.id, workload.id, 'recordsPerSecond')) })),
    });
  }
  for (const workload of workloads.filter((candidate) => candidate.kind === 'latency')) {
    const metrics: Metric[] = ['e2eP50Ms', 'e2eP99Ms', 'e2eP999Ms'];
    panels.push({
      title: `End-to-end latency at ${rateLabel(workload).replace('/s', ' records/s')} (ms from the intended send time, or the actual one if earlier)`,
      unit: 'ms',
      kind: 'ms',
      categories: ['p50', 'p99', 'p99.9'],
      series: systems.map((system) => ({ name: system.label, values: metrics.map((metric) => find(summaries, system.id, workload.id, metric)) })),
    });
  }
  return { title, notes, panels };
}
