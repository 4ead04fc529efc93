// A 1M events/s design: 128 partitions, 100 consumers at 10,000 records/s each (exactly the
// producers' rate in total), five of which are killed at the 20th minute. Compare what the crash
// costs each design with --vary assignor=range,cooperative-sticky,uniform (uniform is the consumer
// protocol's server-side assignor). With 128 partitions on 100 members, 28 members hold two
// partitions (15,625 records/s) and fall behind from the start under any assignor.
export default {
  name: '1m-events',
  description: '1M events/s: 128 partitions, 100 consumers at 10k/s each; five are killed at 20 min',
  durationMs: 3_600_000,
  topics: [{ name: 'events', partitions: 128 }],
  producers: [{ topic: 'events', ratePerSec: 1_000_000, recordBytes: 100, keys: { kind: 'none' } }],
  groups: [{ name: 'pipeline', topic: 'events', assignor: 'range', members: 100, processing: { ratePerSec: 10_000 }, sessionTimeoutMs: 45_000 }],
  timeline: [1, 2, 3, 4, 5].map((index) => ({ atMs: 1_200_000, event: 'kill', group: 'pipeline', member: `c${index * 17}` })),
};
