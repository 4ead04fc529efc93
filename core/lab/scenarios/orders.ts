// The order-processor trace: four partitions shared by A and B (range: A takes 0 and 1, B 2 and
// 3); C joins at 200 ms (A 0 and 1, B 2, C 3); B is killed at 300 ms and, once its session
// expires, A and C share the four (A 0 and 1, C 2 and 3). Milliseconds, so the broker's minimum
// session timeout and initial rebalance delay are lowered to fit.
export default {
  name: 'orders',
  description: 'orders: 4 partitions, A and B; C joins at 200 ms; B crashes at 300 ms',
  durationMs: 1_000,
  sampleEveryMs: 5,
  broker: { initialRebalanceDelayMs: 20, groupMinSessionTimeoutMs: 50 },
  topics: [{ name: 'orders', partitions: 4 }],
  producers: [{ topic: 'orders', ratePerSec: 2_000, recordBytes: 300, keys: { kind: 'uniform', count: 1_000 } }],
  groups: [{
    name: 'order-processor', topic: 'orders', assignor: 'range', members: ['A', 'B'],
    processing: { ratePerSec: 1_000 }, maxPollRecords: 10, sessionTimeoutMs: 100, heartbeatIntervalMs: 20, commit: 'after',
  }],
  timeline: [
    { atMs: 200, event: 'join', group: 'order-processor', member: 'C' },
    { atMs: 300, event: 'kill', group: 'order-processor', member: 'B' },
  ],
};
