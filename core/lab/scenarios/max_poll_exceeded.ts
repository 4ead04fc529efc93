// Processing longer than max.poll.interval.ms: 500 records of 100 ms each take 50 s, but the
// member must poll every 30 s. It leaves the group mid-batch, its partitions go to the other
// member, its batch is processed again there, and it rejoins at its next poll: round and round.
// Lowering max.poll.records to 200 (20 s a batch) cures it: --vary maxPollRecords=500,200.
// Records arrive at 25/s and two members process 20/s together, so a backlog builds and every
// poll returns a full batch (a member that keeps up polls as records arrive and never exceeds).
export default {
  name: 'max-poll-exceeded',
  description: 'a batch takes 50 s, max.poll.interval.ms is 30 s: members leave mid-batch and records are processed twice',
  durationMs: 600_000,
  topics: [{ name: 'jobs', partitions: 4 }],
  producers: [{ topic: 'jobs', ratePerSec: 25, recordBytes: 1_000, keys: { kind: 'uniform', count: 100 } }],
  groups: [{
    name: 'renderers', topic: 'jobs', members: 2, processing: { perRecordMs: 100 },
    maxPollRecords: 500, maxPollIntervalMs: 30_000, sessionTimeoutMs: 10_000, commit: 'after',
  }],
};
