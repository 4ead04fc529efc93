// Commit before versus after processing, under a crash: two groups read the same topic, one
// commits each poll before processing it, the other after. One member of each is killed mid-batch
// at 60 s. After: its batch is processed again by the member that takes over (processedTwice).
// Before: the rest of its batch was committed but never processed (skipped): lost.
export default {
  name: 'commit-before-after',
  description: 'commit before vs after processing: a crash mid-batch skips records (before) or processes them twice (after)',
  durationMs: 180_000,
  topics: [{ name: 'transfers', partitions: 4 }],
  producers: [{ topic: 'transfers', ratePerSec: 800, recordBytes: 300, keys: { kind: 'uniform', count: 5_000 } }],
  groups: [
    { name: 'commit-before', topic: 'transfers', members: 2, processing: { ratePerSec: 1_000 }, maxPollRecords: 500, commit: 'before', sessionTimeoutMs: 10_000 },
    { name: 'commit-after', topic: 'transfers', members: 2, processing: { ratePerSec: 1_000 }, maxPollRecords: 500, commit: 'after', sessionTimeoutMs: 10_000 },
  ],
  timeline: [
    { atMs: 60_250, event: 'kill', group: 'commit-before', member: 'c1' },
    { atMs: 60_250, event: 'kill', group: 'commit-after', member: 'c1' },
  ],
};
