// A hot partition: one key carries half the records, so one partition does, and so does the one
// member that owns it. The others idle while its lag grows; more members do not help.
export default {
  name: 'hot-partition',
  description: 'one key carries 50 % of the records: its partition and its member fall behind',
  durationMs: 600_000,
  topics: [{ name: 'payments', partitions: 8 }],
  producers: [{ topic: 'payments', ratePerSec: 8_000, recordBytes: 400, keys: { kind: 'hot', count: 10_000, hotShare: 0.5 } }],
  groups: [{ name: 'ledger', topic: 'payments', members: 8, processing: { ratePerSec: 2_000 } }],
};
