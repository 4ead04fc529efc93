// Compaction of the offsets log keeps what a restart rebuilds: for random runs of group records
// (offset commits and group metadata over a few groups, topics and partitions, with tombstones),
// replaying the compacted records gives the coordinator the same durable state as replaying them
// all — and so does every log a crash can leave behind during the switch: the old records
// followed by any prefix of the snapshot, or any tail of the old records (segments are deleted
// oldest first) followed by the whole snapshot. Compacting again after more records keeps it so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../../core/group/coordinator.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupMetadataValue, type GroupRecord, type OffsetCommitValue } from '../../../core/group/group_record.js';
import { compactGroupRecords, compactionDue, snapshotChunks, type KeyedRecord } from '../../../core/group/offsets_compaction.js';

const groupIds = ['orders', 'billing', 'audit'];
const topics = ['t0', 't1'];

const offsetValue: fc.Arbitrary<OffsetCommitValue> = fc.record({
  offset: fc.nat(1_000_000),
  leaderEpoch: fc.integer({ min: -1, max: 5 }),
  metadata: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  commitTimestampMs: fc.nat(1_000_000),
});

const metadataValue: fc.Arbitrary<GroupMetadataValue> = fc
  .record({
    generationId: fc.nat(50),
    memberCount: fc.nat(3),
    staticMembers: fc.boolean(),
    assignmentByte: fc.nat(255),
    protocolName: fc.constantFrom('range', 'roundrobin'),
    currentStateTimestampMs: fc.nat(1_000_000),
  })
  .map(({ generationId, memberCount, staticMembers, assignmentByte, protocolName, currentStateTimestampMs }) => {
    const members = Array.from({ length: memberCount }, (_, index) => ({
      memberId: `member-${generationId}-${index}`,
      groupInstanceId: staticMembers ? `instance-${index}` : null,
      clientId: `client-${index}`,
      clientHost: '/127.0.0.1',
      rebalanceTimeoutMs: 30_000,
      sessionTimeoutMs: 10_000,
      protocols: [{ name: protocolName, metadata: new Uint8Array([index]) }],
      assignment: new Uint8Array([assignmentByte, index]),
    }));
    return {
      protocolType: 'consumer',
      generationId: memberCount === 0 ? generationId : Math.max(1, generationId),
      protocolName: memberCount === 0 ? null : protocolName,
      leader: memberCount === 0 ? null : members[0].memberId,
      currentStateTimestampMs,
      members,
    };
  });

const groupRecord: fc.Arbitrary<GroupRecord> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('OffsetCommit' as const), groupId: fc.constantFrom(...groupIds), topic: fc.constantFrom(...topics), partition: fc.nat(2), value: fc.option(offsetValue, { nil: null, freq: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('GroupMetadata' as const), groupId: fc.constantFrom(...groupIds), value: fc.option(metadataValue, { nil: null, freq: 3 }) }) },
);

function encode(records: readonly GroupRecord[]): KeyedRecord[] {
  return records.map((record) => encodeGroupRecord(record));
}

/** What a restart rebuilds from these records. */
function replayed(records: readonly KeyedRecord[]) {
  const decoded = records.map((record) => decodeGroupRecord(record.key, record.value));
  return GroupCoordinator.replay(decoded, 1_000, { partitionCount: () => 3, decodeSubscribedTopics: () => topics }).snapshot();
}

describe('offsets log compaction', () => {
  it('replay(compact(records)) equals replay(records), and so does every log a crash during the switch can leave', () => {
    fc.assert(
      fc.property(fc.array(groupRecord, { maxLength: 60 }), fc.nat(), fc.nat(), (run, prefixSeed, tailSeed) => {
        const records = encode(run);
        const expected = replayed(records);
        const snapshot = compactGroupRecords(records);
        expect(replayed(snapshot)).toEqual(expected);
        expect(snapshot.every((record) => record.value !== null)).toBe(true);
        // Crash after part of the snapshot was appended, before the log start moved.
        const prefix = snapshot.slice(0, prefixSeed % (snapshot.length + 1));
        expect(replayed([...records, ...prefix])).toEqual(expected);
        // Crash after the log start moved but before every old segment was deleted, with the
        // log-start checkpoint lost: a tail of the old records, then the snapshot.
        const tail = records.slice(tailSeed % (records.length + 1));
        expect(replayed([...tail, ...snapshot])).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('compacting the snapshot with what followed it equals replaying everything', () => {
    fc.assert(
      fc.property(fc.array(groupRecord, { maxLength: 40 }), fc.array(groupRecord, { maxLength: 40 }), (first, second) => {
        const before = encode(first);
        const after = encode(second);
        const twice = compactGroupRecords([...compactGroupRecords(before), ...after]);
        expect(replayed(twice)).toEqual(replayed([...before, ...after]));
        // Compaction is idempotent: a second pass keeps exactly the same records.
        expect(compactGroupRecords(twice)).toEqual(twice);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps one record per live key, in the order of their latest writes', () => {
    const commit = (partition: number, offset: number | null): GroupRecord => ({
      type: 'OffsetCommit',
      groupId: 'orders',
      topic: 't0',
      partition,
      value: offset === null ? null : { offset, leaderEpoch: -1, metadata: null, commitTimestampMs: 0 },
    });
    const records = encode([commit(0, 1), commit(1, 1), commit(0, 2), commit(2, 1), commit(2, null), commit(1, 3)]);
    const kept = compactGroupRecords(records).map((record) => decodeGroupRecord(record.key, record.value));
    expect(kept).toEqual([commit(0, 2), commit(1, 3)]);
  });

  it('splits a snapshot into bounded batches without losing or reordering records', () => {
    fc.assert(
      fc.property(fc.array(groupRecord, { maxLength: 60 }), fc.integer({ min: 1, max: 400 }), (run, batchBytesMax) => {
        const records = compactGroupRecords(encode(run));
        const chunks = snapshotChunks(records, batchBytesMax);
        expect(chunks.flat()).toEqual(records);
        for (const chunk of chunks) {
          const bytes = chunk.reduce((sum, record) => sum + record.key.length + (record.value?.length ?? 0), 0);
          expect(chunk.length === 1 || bytes <= batchBytesMax).toBe(true);
        }
      }),
    );
  });

  it('compacts only when the dirty part is past the minimum and at least the snapshot size', () => {
    expect(compactionDue(1000, 0, 4096)).toBe(false);
    expect(compactionDue(4096, 0, 4096)).toBe(true);
    expect(compactionDue(5000, 8000, 4096)).toBe(false);
    expect(compactionDue(8000, 8000, 4096)).toBe(true);
  });
});
