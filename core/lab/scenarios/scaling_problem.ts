// The scaling problem: producers write 10,000 records/s, the one consumer processes 1,000/s. The
// backlog grows by 9,000 records every second: 32.4 million after an hour. Adding consumers (up
// to the ten partitions) is the only cure; --vary members=1,5,10 shows it.
export default {
  name: 'scaling-problem',
  description: '10,000 records/s in, one consumer at 1,000/s: the backlog after an hour is 32.4 million',
  durationMs: 3_600_000,
  topics: [{ name: 'events', partitions: 10 }],
  producers: [{ topic: 'events', ratePerSec: 10_000, recordBytes: 200, keys: { kind: 'uniform', count: 10_000 } }],
  groups: [{ name: 'processors', topic: 'events', members: 1, processing: { ratePerSec: 1_000 } }],
};
