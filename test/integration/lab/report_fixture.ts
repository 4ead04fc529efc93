// A small LabReport made through core/lab's LabRecorder by hand: the orders trace's shape
// (4 partitions, members A and B, C joins at 200 ms, B is killed at 300 ms), for tests of the
// HTML report. The numbers are invented; the shape is what both engines write.
import { LabRecorder } from '../../../core/lab/recorder.js';
import { parseScenario } from '../../../core/lab/scenario.js';
import type { LabReport } from '../../../actors/lab/report_html.js';

const parsed = parseScenario({
  name: 'orders',
  description: 'The order-processor trace: 4 partitions, A and B; C joins at 200 ms, B crashes at 300 ms.',
  durationMs: 500,
  sampleEveryMs: 50,
  topics: [{ name: 'orders', partitions: 4 }],
  producers: [{ topic: 'orders', ratePerSec: 400 }],
  groups: [{ name: 'order-processor', topic: 'orders', members: ['A', 'B'], processing: { ratePerSec: 100 } }],
  timeline: [
    { atMs: 200, event: 'join', group: 'order-processor', member: 'C' },
    { atMs: 300, event: 'kill', group: 'order-processor', member: 'B' },
  ],
});
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
export const ordersScenario = parsed.scenario;

export function ordersFixture(variant?: string): LabReport {
  const recorder = new LabRecorder(ordersScenario, 'virtual', 7);
  const g = 'order-processor';
  const processed = new Map<string, number>();
  const logEnd = new Map<string, number>();
  const committed = new Map<string, number>();
  const sampleAt = (atMs: number) => {
    for (let p = 0; p < 4; p++) logEnd.set(`orders-${p}`, Math.round(atMs * (0.1 + p * 0.05)));
    for (let p = 0; p < 4; p++) committed.set(`orders-${p}`, Math.round(atMs * 0.1));
    for (const member of ['A', 'B', 'C']) processed.set(`${g}/${member}`, Math.round(atMs / 10));
    recorder.sample(atMs, { logEnd, committed: new Map([[g, committed]]), processed });
  };
  recorder.rebalanceStarted(0, g, 'start');
  recorder.memberJoined(0, g, 'A');
  recorder.memberJoined(0, g, 'B');
  recorder.owned(0, g, 'A', ['orders-0', 'orders-1']);
  recorder.owned(0, g, 'B', ['orders-2', 'orders-3']);
  recorder.rebalanceEnded(0, g);
  for (const at of [0, 50, 100, 150, 200]) sampleAt(at);
  recorder.rebalanceStarted(200, g, 'join C');
  recorder.memberJoined(200, g, 'C');
  recorder.owned(220, g, 'B', ['orders-2']);
  recorder.owned(230, g, 'C', ['orders-3']);
  recorder.rebalanceEnded(230, g);
  for (const at of [250, 300]) sampleAt(at);
  recorder.rebalanceStarted(300, g, 'kill B');
  recorder.memberGone(300, g, 'B');
  sampleAt(350);
  recorder.owned(360, g, 'C', ['orders-2', 'orders-3']);
  recorder.rebalanceEnded(360, g);
  recorder.processedTwice(g, 6);
  for (const at of [400, 450, 500]) sampleAt(at);
  const report = recorder.finish(500);
  return variant === undefined ? report : { ...report, variant: { key: 'assignor', value: variant } };
}
