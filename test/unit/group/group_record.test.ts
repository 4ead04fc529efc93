import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { GroupCoordinator } from '../../../core/group/coordinator.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../../core/group/group_record.js';
import { bytes, GroupTestContext, sessionTimeoutMsDefault } from '../../support/group_test_context.js';
import { codeOf } from '../../support/error_code.js';

const groupMetadata: GroupRecord = {
  type: 'GroupMetadata',
  groupId: 'order-processor',
  value: {
    protocolType: 'consumer',
    generationId: 7,
    protocolName: 'range',
    leader: 'a-1',
    currentStateTimestampMs: 1_700_000_000_123,
    members: [
      {
        memberId: 'a-1',
        groupInstanceId: 'host-a',
        clientId: 'a',
        clientHost: '/10.0.0.1',
        rebalanceTimeoutMs: 300_000,
        sessionTimeoutMs: 45_000,
        protocols: [{ name: 'range', metadata: bytes('orders') }, { name: 'roundrobin', metadata: bytes('orders') }],
        assignment: bytes('orders:0,1'),
      },
    ],
  },
};

const offsetCommit: GroupRecord = {
  type: 'OffsetCommit',
  groupId: 'order-processor',
  topic: 'orders',
  partition: 3,
  value: { offset: 2 ** 40, leaderEpoch: 4, metadata: 'été', commitTimestampMs: 1_700_000_000_456 },
};

function roundTrip(record: GroupRecord): GroupRecord {
  const { key, value } = encodeGroupRecord(record);
  return decodeGroupRecord(key, value);
}

describe('group records', () => {
  it('round-trip group metadata, offset commits and their tombstones', () => {
    expect(roundTrip(groupMetadata)).toEqual(groupMetadata);
    expect(roundTrip(offsetCommit)).toEqual(offsetCommit);
    const groupTombstone: GroupRecord = { type: 'GroupMetadata', groupId: 'g', value: null };
    const offsetTombstone: GroupRecord = { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, value: null };
    expect(encodeGroupRecord(groupTombstone).value).toBeNull();
    expect(roundTrip(groupTombstone)).toEqual(groupTombstone);
    expect(roundTrip(offsetTombstone)).toEqual(offsetTombstone);
  });

  it('key a record by what it is about, so compaction keeps only the latest', () => {
    const later = { ...offsetCommit, value: { ...offsetCommit.value!, offset: 9 } } as GroupRecord;
    expect(encodeGroupRecord(later).key).toEqual(encodeGroupRecord(offsetCommit).key);
    const otherPartition = { ...offsetCommit, partition: 2 } as GroupRecord;
    expect(encodeGroupRecord(otherPartition).key).not.toEqual(encodeGroupRecord(offsetCommit).key);
    // A group and an offset of that group never share a key.
    expect(encodeGroupRecord(groupMetadata).key).not.toEqual(encodeGroupRecord(offsetCommit).key);
  });

  it('refuse truncated, trailing, or unknown-version bytes with CORRUPT_MESSAGE', () => {
    const { key, value } = encodeGroupRecord(groupMetadata);
    expect(codeOf(() => decodeGroupRecord(key, value!.subarray(0, value!.length - 1)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => decodeGroupRecord(key, new Uint8Array([...value!, 0])))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const futureVersion = value!.slice();
    futureVersion[1] = 9;
    expect(codeOf(() => decodeGroupRecord(key, futureVersion))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => decodeGroupRecord(new Uint8Array([0, 7, 0, 0, 0, 0]), null))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('consumer-protocol (KIP-848) records', () => {
  const consumerGroup: GroupRecord = {
    type: 'ConsumerGroup',
    groupId: 'payments',
    value: { groupEpoch: 5, assignmentEpoch: 4, stateTimestampMs: 1_700_000_000_000, subscriptionMetadata: [['orders', 6], ['refunds', 1]] },
  };
  const consumerMember: GroupRecord = {
    type: 'ConsumerMember',
    groupId: 'payments',
    memberId: 'uuid-1',
    value: {
      instanceId: 'host-a', rackId: null, clientId: 'c', clientHost: '/10.0.0.1', rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['orders', 'refunds'], subscribedTopicRegex: 'orders-.*', serverAssignor: 'range',
      memberEpoch: 4, previousMemberEpoch: 3, state: 'UNREVOKED_PARTITIONS',
      assigned: [['orders', [0, 1]]], pendingRevocation: [['orders', [2]]], target: [['orders', [0, 1]], ['refunds', [0]]],
    },
  };

  it('round-trip, tombstones included, each keyed by group (and member)', () => {
    expect(roundTrip(consumerGroup)).toEqual(consumerGroup);
    expect(roundTrip(consumerMember)).toEqual(consumerMember);
    const memberTombstone: GroupRecord = { type: 'ConsumerMember', groupId: 'payments', memberId: 'uuid-1', value: null };
    expect(roundTrip(memberTombstone)).toEqual(memberTombstone);
    expect(encodeGroupRecord(memberTombstone).key).toEqual(encodeGroupRecord(consumerMember).key);
    const otherMember = { ...consumerMember, memberId: 'uuid-2' } as GroupRecord;
    expect(encodeGroupRecord(otherMember).key).not.toEqual(encodeGroupRecord(consumerMember).key);
    // A consumer group never shares a key with a classic group of the same id.
    expect(encodeGroupRecord(consumerGroup).key).not.toEqual(encodeGroupRecord({ type: 'GroupMetadata', groupId: 'payments', value: null }).key);
  });

  it('refuse a truncated member or an unknown member state with CORRUPT_MESSAGE', () => {
    const { key, value } = encodeGroupRecord(consumerMember);
    expect(codeOf(() => decodeGroupRecord(key, value!.subarray(0, value!.length - 3)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // The state byte is where the same member encoded STABLE differs.
    const stable = encodeGroupRecord({ ...consumerMember, value: { ...(consumerMember.value as object), state: 'STABLE' } } as GroupRecord).value!;
    const stateAt = value!.findIndex((byte, i) => byte !== stable[i]);
    const badState = value!.slice();
    expect(badState[stateAt]).toBe(1); // UNREVOKED_PARTITIONS
    badState[stateAt] = 9;
    expect(codeOf(() => decodeGroupRecord(key, badState))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('replay', () => {
  function runWorkload(t: GroupTestContext) {
    const [a, b, c] = t.stableGroup('g1', 3);
    t.commit('g1', a, { 'orders/0': 10, 'orders/1': 11 }, 'm');
    t.commit('g1', b, { 'orders/2': 12 });
    t.leave('g1', c); // g1 rebalances to two members
    const joins = t.completeJoins(t.join('g1', { memberId: a.memberId }), t.join('g1', { memberId: b.memberId }));
    t.syncAll('g1', joins);
    const [d] = t.stableGroup('g2', 1);
    t.commit('g2', d, { 'orders/3': 5 });
    t.leave('g2', d); // g2 ends Empty, keeping its offset
    t.commit('tool', { memberId: '', generationId: -1 }, { 'orders/0': 1 });
    t.commit('doomed', { memberId: '', generationId: -1 }, { 'orders/0': 1 });
    t.deleteGroups('doomed');
    const s1 = t.join('static', { groupInstanceId: 'i-1', clientId: 'x' });
    t.syncAll('static', t.completeJoins(s1));
    t.join('static', { groupInstanceId: 'i-1', clientId: 'x' }); // restart: new member id, persisted
  }

  it('rebuilds equal groups, generations, members and offsets from the encoded records', () => {
    const t = new GroupTestContext();
    runWorkload(t);
    const encoded = t.records.map(encodeGroupRecord);
    const replayed = GroupCoordinator.replay(
      encoded.map(({ key, value }) => decodeGroupRecord(key, value)),
      t.clock.nowMs(),
      t.coordinatorOptions(),
    );
    expect(replayed.snapshot()).toEqual(t.coordinator.snapshot());
    expect(replayed.snapshot().map((group) => group.groupId)).toEqual(['g1', 'g2', 'static', 'tool']);
  });

  it('after a restart, live members carry on and silent ones expire after their session timeout', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup('g', 2);
    t.commit('g', a, { 'orders/0': 42 });
    t.clock.advance(60_000); // the broker was down: its sessions ran out, but nothing ran
    t.restart();
    expect(t.state('g')).toBe('Stable');
    expect(t.fetch('g')).toEqual({ 'orders/0': 42 });
    t.sleep(sessionTimeoutMsDefault - 1);
    expect(t.heartbeat('g', a)).toBe(ErrorCode.NONE); // session timers started at load
    t.sleep(1);
    expect(t.heartbeat('g', b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.state('g')).toBe('PreparingRebalance');
  });
});
