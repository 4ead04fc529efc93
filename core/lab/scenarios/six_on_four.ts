// Six consumers on four partitions: a partition has one owner in a group, so two members hold
// nothing and idle (the report lists them). They are standbys: kill an owner and one takes over.
export default {
  name: 'six-on-four',
  description: 'six consumers, four partitions: two members idle; when an owner dies, a standby takes over',
  durationMs: 300_000,
  topics: [{ name: 'tasks', partitions: 4 }],
  producers: [{ topic: 'tasks', ratePerSec: 2_000, recordBytes: 200, keys: { kind: 'uniform', count: 1_000 } }],
  groups: [{ name: 'workers', topic: 'tasks', members: 6, processing: { ratePerSec: 1_000 }, sessionTimeoutMs: 10_000 }],
  timeline: [{ atMs: 120_000, event: 'kill', group: 'workers', member: 'c1' }],
};
