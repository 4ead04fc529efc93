// Three groups on one topic: each group reads every record, at its own pace and with its own
// lag. Analytics keeps up, billing (slow processing) falls behind, audit has one member for all
// twelve partitions. One topic's log serves all three; nothing one group does touches another.
export default {
  name: 'three-groups',
  description: 'three groups read one topic, each at its own pace: analytics keeps up, billing falls behind, audit is one member',
  durationMs: 600_000,
  topics: [{ name: 'clicks', partitions: 12 }],
  producers: [{ topic: 'clicks', ratePerSec: 6_000, recordBytes: 250, keys: { kind: 'uniform', count: 50_000 } }],
  groups: [
    { name: 'analytics', topic: 'clicks', members: 4, processing: { ratePerSec: 2_000 } },
    { name: 'billing', topic: 'clicks', members: 3, processing: { perRecordMs: { kind: 'exponential', meanMs: 0.6 } }, commit: 'after' },
    { name: 'audit', topic: 'clicks', members: 1, assignor: 'roundrobin', processing: { ratePerSec: 8_000 } },
  ],
};
