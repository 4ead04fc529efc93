// A hand-made LabReport: the orders trace's shape (4 partitions, members A and B, C joins at
// 200 ms, B crashes at 300 ms), small enough to read, for tests of the HTML report.
import type { LabReport } from '../../../actors/lab/report_view.js';

export function ordersFixture(variant?: string): LabReport {
  const time = Array.from({ length: 11 }, (_, i) => i * 50);
  const ramp = (slope: number, dropAt: number) => time.map((t) => (t < dropAt ? Math.round(t * slope) : Math.round(dropAt * slope * 0.2)));
  return {
    scenario: { name: 'orders', description: 'The order-processor trace: 4 partitions, A and B; C joins at 200 ms, B crashes at 300 ms.', durationMs: 500 },
    engine: 'virtual',
    seed: 7,
    ...(variant === undefined ? {} : { variant }),
    sampleEveryMs: 50,
    series: {
      time,
      lagByPartition: { 'orders-0': ramp(0.2, 300), 'orders-1': ramp(0.3, 300), 'orders-2': ramp(0.1, 400), 'orders-3': ramp(0.25, 400) },
      lagByMember: { A: ramp(0.5, 300), B: ramp(0.35, 300), C: time.map((t) => (t < 200 ? 0 : Math.round((t - 200) * 0.3))) },
      throughputByMember: { A: time.map(() => 100), B: time.map((t) => (t < 300 ? 100 : 0)), C: time.map((t) => (t < 200 ? 0 : 100)) },
      producedPerSec: time.map(() => 400),
    },
    rebalances: [
      { startMs: 200, endMs: 230, group: 'order-processor', trigger: 'C joined', membersWithoutPartitionsMs: { A: 0, B: 0, C: 30 } },
      { startMs: 300, endMs: 360, group: 'order-processor', trigger: 'B crashed (session timeout)', membersWithoutPartitionsMs: { A: 0, C: 0 } },
    ],
    summary: { maxBacklog: 180, finalBacklog: 40, recordsProduced: 200, recordsProcessed: 170, processedTwice: 6, skipped: 0, idleMembers: [], rebalanceCount: 2 },
    assignments: [
      { atMs: 0, group: 'order-processor', byMember: { A: ['orders-0', 'orders-1'], B: ['orders-2', 'orders-3'] } },
      { atMs: 230, group: 'order-processor', byMember: { A: ['orders-0', 'orders-1'], B: ['orders-2'], C: ['orders-3'] } },
      { atMs: 360, group: 'order-processor', byMember: { A: ['orders-0', 'orders-1'], C: ['orders-2', 'orders-3'] } },
    ],
  };
}
