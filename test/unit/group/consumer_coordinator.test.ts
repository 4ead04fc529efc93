// The consumer group protocol (KIP-848) on a fake clock: epochs, server-side assignment,
// incremental reconciliation, timeouts, static membership, regex subscriptions, topic changes,
// fencing errors and the classic/consumer boundary, answered as Kafka's GroupMetadataManager does.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ConsumerGroupTestContext, ConsumerTestMember } from '../../support/consumer_group_test_context.js';
import { GroupTestContext } from '../../support/group_test_context.js';

const g = 'payments';

function members(t: ConsumerGroupTestContext, count: number, options = {}): ConsumerTestMember[] {
  return Array.from({ length: count }, (_, i) => new ConsumerTestMember(t, g, `m${i}`, options));
}

/** Heartbeats every member until none changes epoch or ownership; checks no partition is owned twice at any step. */
function settle(t: ConsumerGroupTestContext, all: readonly ConsumerTestMember[], rounds = 10): void {
  for (let round = 0; round < rounds; round++) {
    for (const member of all) {
      member.poll();
      expect(ConsumerGroupTestContext.doubleOwned(all)).toEqual([]);
    }
  }
}

describe('joining and the group epoch', () => {
  it('a first member gets epoch 1, every partition and the broker heartbeat interval', () => {
    const t = new ConsumerGroupTestContext();
    const [a] = members(t, 1);
    const response = a.join();
    expect(response).toMatchObject({ errorCode: 0, memberEpoch: 1, heartbeatIntervalMs: 5_000 });
    expect(response.memberId).not.toBe('');
    expect(a.ownedKeys()).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5']);
    expect(t.coordinator.consumerGroupDescribe([g])[0]).toMatchObject({ groupState: 'Stable', groupEpoch: 1, assignmentEpoch: 1, assignorName: 'uniform' });
  });

  it('a client-made member id (v1) is kept', () => {
    const t = new ConsumerGroupTestContext();
    expect(t.heartbeat({ groupId: g, memberId: 'my-own-uuid' })).toMatchObject({ errorCode: 0, memberId: 'my-own-uuid', memberEpoch: 1 });
  });

  it('a second member waits until the first has revoked: no partition is ever owned twice', () => {
    const t = new ConsumerGroupTestContext();
    const [a, b] = members(t, 2);
    a.join();
    const joined = b.join();
    // b is at the new epoch but every partition it targets is still a's.
    expect(joined).toMatchObject({ errorCode: 0, memberEpoch: 2, assignment: [] });
    expect(t.coordinator.consumerGroupDescribe([g])[0].groupState).toBe('Reconciling');
    // a is asked to revoke: it keeps its epoch until it confirms.
    const revoke = a.poll({ slow: true });
    expect(revoke.memberEpoch).toBe(1);
    expect(revoke.assignment?.[0].partitions).toHaveLength(3);
    expect(b.poll().assignment).toBeNull(); // still nothing free
    expect(ConsumerGroupTestContext.doubleOwned([a, b])).toEqual([]);
    // a confirms (reports owned without the revoked partitions) and moves to epoch 2.
    expect(a.poll().memberEpoch).toBe(2);
    expect(b.poll().assignment?.[0].partitions).toHaveLength(3);
    expect(a.ownedCount() + b.ownedCount()).toBe(6);
    expect(t.coordinator.consumerGroupDescribe([g])[0].groupState).toBe('Stable');
    // Rebalance telemetry covers this protocol too: one event once everyone has reconciled.
    const rebalances = t.events.filter((event) => event.type === 'rebalance');
    expect(rebalances.at(-1)).toMatchObject({ type: 'rebalance', groupId: g, generationId: 2, reason: 'memberJoined' });
    expect(rebalances.at(-1)?.type === 'rebalance' && [...rebalances.at(-1)!.members].sort()).toEqual([a.memberId, b.memberId].sort());
  });

  it('a fourth member joins and the other three keep the partitions they keep (uniform is sticky)', () => {
    const t = new ConsumerGroupTestContext({ topics: { orders: 12 } });
    const all = members(t, 4);
    for (const member of all.slice(0, 3)) member.join();
    settle(t, all.slice(0, 3));
    const before = all.slice(0, 3).map((member) => member.ownedKeys());
    all[3].join();
    settle(t, all);
    all.slice(0, 3).forEach((member, i) => {
      expect(member.ownedCount()).toBe(3);
      for (const key of member.ownedKeys()) expect(before[i]).toContain(key);
    });
    expect(all[3].ownedCount()).toBe(3);
  });

  it('the range assignor, when members ask for it', () => {
    const t = new ConsumerGroupTestContext({ topics: { orders: 4 } });
    const [a, b] = members(t, 2, { assignor: 'range' });
    a.join();
    b.join();
    settle(t, [a, b]);
    expect(t.coordinator.consumerGroupDescribe([g])[0].assignorName).toBe('range');
    // range gives contiguous blocks by member id order
    const [first, second] = [a, b].sort((x, y) => (x.memberId < y.memberId ? -1 : 1));
    expect(first.ownedKeys()).toEqual(['orders-0', 'orders-1']);
    expect(second.ownedKeys()).toEqual(['orders-2', 'orders-3']);
  });
});

describe('fencing errors, as Kafka answers them', () => {
  it('an epoch ahead of the coordinator is FENCED_MEMBER_EPOCH; behind too, unless it is the previous epoch with a subset', () => {
    const t = new ConsumerGroupTestContext();
    const [a, b] = members(t, 2);
    a.join();
    b.join();
    settle(t, [a, b]);
    const ahead = t.heartbeat({ groupId: g, memberId: a.memberId, memberEpoch: a.memberEpoch + 1, ownedPartitions: null, subscribedTopicNames: null, rebalanceTimeoutMs: -1 });
    expect(ahead.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect(ahead.errorMessage).toContain('greater member epoch');
    // a is at epoch 2 with previous epoch 1: epoch 1 with a subset of its partitions is accepted (lost response)
    const owned = [{ topic: 'orders', partitions: a.owned.get('orders')!.slice(0, 1) }];
    expect(t.heartbeat({ groupId: g, memberId: a.memberId, memberEpoch: 1, ownedPartitions: owned, subscribedTopicNames: null, rebalanceTimeoutMs: -1 }).errorCode).toBe(0);
    // but not without owned partitions
    expect(t.heartbeat({ groupId: g, memberId: a.memberId, memberEpoch: 1, ownedPartitions: null, subscribedTopicNames: null, rebalanceTimeoutMs: -1 }).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
  });

  it('an unknown member id is UNKNOWN_MEMBER_ID; an unknown group GROUP_ID_NOT_FOUND', () => {
    const t = new ConsumerGroupTestContext();
    const [a] = members(t, 1);
    a.join();
    expect(t.heartbeat({ groupId: g, memberId: 'nobody', memberEpoch: 1, ownedPartitions: null }).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.heartbeat({ groupId: 'other', memberId: 'nobody', memberEpoch: 1, ownedPartitions: null }).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  const invalid: [string, Parameters<ConsumerGroupTestContext['heartbeat']>[0], number, string][] = [
    ['empty group id', { groupId: '' }, ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
    ['empty instance id', { groupId: g, instanceId: '' }, ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
    ['empty rack id', { groupId: g, rackId: '' }, ErrorCode.INVALID_REQUEST, "RackId can't be empty."],
    ['epoch > 0 without member id', { groupId: g, memberEpoch: 3 }, ErrorCode.INVALID_REQUEST, "MemberId can't be empty."],
    ['join without rebalance timeout', { groupId: g, rebalanceTimeoutMs: -1 }, ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.'],
    ['join owning partitions', { groupId: g, ownedPartitions: [{ topic: 'orders', partitions: [0] }] }, ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'],
    ['join with null owned partitions', { groupId: g, ownedPartitions: null }, ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'],
    ['join without a subscription', { groupId: g, subscribedTopicNames: null }, ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.'],
    ['static leave without instance id', { groupId: g, memberId: 'x', memberEpoch: -2 }, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
    ['epoch −3', { groupId: g, memberId: 'x', memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.'],
    ['an unknown assignor', { groupId: g, serverAssignor: 'sticky' }, ErrorCode.UNSUPPORTED_ASSIGNOR, 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.'],
    ['a regex that does not compile', { groupId: g, subscribedTopicRegex: 'orders-[' }, ErrorCode.INVALID_REGULAR_EXPRESSION, 'is not a valid regular expression'],
    ['a regex that would backtrack exponentially', { groupId: g, subscribedTopicRegex: '(a+)+b' }, ErrorCode.INVALID_REGULAR_EXPRESSION, 'quantified group'],
  ];
  it.each(invalid)('%s', (_, request, code, message) => {
    const t = new ConsumerGroupTestContext();
    const response = t.heartbeat(request);
    expect(response.errorCode).toBe(code);
    expect(response.errorMessage).toContain(message);
    // nothing changed: no group was created, nothing written
    expect(t.records).toEqual([]);
  });

  it('a full group answers GROUP_MAX_SIZE_REACHED to a new member only', () => {
    const t = new ConsumerGroupTestContext({ config: { groupSizeMax: 1 } });
    const [a, b] = members(t, 2);
    a.join();
    expect(b.join().errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(a.poll().errorCode).toBe(0);
  });
});

describe('timeouts', () => {
  it('a member silent for the session timeout (45 s by default) is removed and its partitions move', () => {
    const t = new ConsumerGroupTestContext();
    const [a, b] = members(t, 2);
    a.join();
    b.join();
    settle(t, [a, b]);
    t.sleep(40_000);
    a.poll();
    t.sleep(5_001); // b last heartbeated 45,001 ms ago
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'memberRemoved', memberId: b.memberId, cause: 'sessionTimeout' }));
    a.poll();
    expect(a.ownedCount()).toBe(6);
    expect(b.poll().errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member that does not revoke within its rebalance timeout is fenced; the partitions then move', () => {
    const t = new ConsumerGroupTestContext();
    const a = new ConsumerTestMember(t, g, 'a', { rebalanceTimeoutMs: 10_000 });
    const b = new ConsumerTestMember(t, g, 'b');
    a.join();
    b.join();
    a.poll({ slow: true }); // told to revoke, does not
    t.sleep(5_000);
    a.poll({ slow: true });
    t.sleep(5_000);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'memberRemoved', memberId: a.memberId, cause: 'rebalanceTimeout' }));
    expect(b.poll().memberEpoch).toBe(3);
    expect(b.poll().memberEpoch).toBe(3);
    expect(b.ownedCount()).toBe(6);
    expect(a.poll().errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('static membership', () => {
  it('leaves with −2, keeps its partitions meanwhile, and its next incarnation gets them back without a new epoch', () => {
    const t = new ConsumerGroupTestContext();
    const a = new ConsumerTestMember(t, g, 'a', { instanceId: 'host-a' });
    const b = new ConsumerTestMember(t, g, 'b');
    a.join();
    b.join();
    settle(t, [a, b]);
    const partitions = a.ownedKeys();
    const epoch = t.coordinator.consumerGroupDescribe([g])[0].groupEpoch;
    expect(a.leave(-2)).toMatchObject({ errorCode: 0, memberEpoch: -2 });
    b.poll();
    expect(b.ownedCount()).toBe(3); // nobody takes the static member's partitions
    const restarted = new ConsumerTestMember(t, g, 'a2', { instanceId: 'host-a' });
    expect(restarted.join()).toMatchObject({ errorCode: 0, memberEpoch: epoch });
    expect(restarted.ownedKeys()).toEqual(partitions);
    expect(t.coordinator.consumerGroupDescribe([g])[0].groupEpoch).toBe(epoch);
  });

  it('UNRELEASED_INSTANCE_ID while the instance id is held; FENCED_INSTANCE_ID for the old incarnation', () => {
    const t = new ConsumerGroupTestContext();
    const a = new ConsumerTestMember(t, g, 'a', { instanceId: 'host-a' });
    a.join();
    const rival = new ConsumerTestMember(t, g, 'rival', { instanceId: 'host-a' });
    const refused = rival.join();
    expect(refused.errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    a.leave(-2);
    expect(rival.join().errorCode).toBe(0);
    const old = t.heartbeat({ groupId: g, memberId: a.memberId, memberEpoch: 1, instanceId: 'host-a', ownedPartitions: null });
    expect(old.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('a static member leaving with −2 while revoking releases the partitions it was revoking', () => {
    const t = new ConsumerGroupTestContext();
    const a = new ConsumerTestMember(t, g, 'a', { instanceId: 'host-a' });
    const b = new ConsumerTestMember(t, g, 'b');
    a.join();
    b.join();
    a.poll({ slow: true }); // asked to revoke three partitions, has not yet
    expect(a.leave(-2).errorCode).toBe(0); // the coordinator's invariants run after the call
    b.poll();
    expect(b.ownedCount()).toBe(3);
  });

  it('a static member that left with −2 and does not come back is removed after the session timeout', () => {
    const t = new ConsumerGroupTestContext();
    const a = new ConsumerTestMember(t, g, 'a', { instanceId: 'host-a' });
    a.join();
    a.leave(-2);
    t.sleep(45_000);
    expect(t.coordinator.consumerGroupDescribe([g])[0]).toMatchObject({ groupState: 'Empty', members: [] });
  });
});

describe('subscriptions and topic changes', () => {
  it('a regex subscription picks up a topic created later', () => {
    const t = new ConsumerGroupTestContext({ topics: { 'orders-eu': 2, audit: 1 } });
    const a = new ConsumerTestMember(t, g, 'a', { regex: 'orders-.*' });
    a.join();
    expect(a.ownedKeys()).toEqual(['orders-eu-0', 'orders-eu-1']);
    t.setTopic('orders-us', 1);
    a.poll();
    expect(a.ownedKeys()).toEqual(['orders-eu-0', 'orders-eu-1', 'orders-us-0']);
  });

  it('partitions added to a subscribed topic are assigned; a deleted topic is revoked', () => {
    const t = new ConsumerGroupTestContext({ topics: { orders: 2, refunds: 1 } });
    const a = new ConsumerTestMember(t, g, 'a', { topics: ['orders', 'refunds'] });
    a.join();
    t.setTopic('orders', 4);
    a.poll();
    expect(a.ownedKeys()).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'refunds-0']);
    t.setTopic('refunds', undefined);
    a.poll();
    a.poll();
    expect(a.ownedKeys()).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3']);
  });

  it('a topic change the group does not subscribe to leaves its epoch alone', () => {
    const t = new ConsumerGroupTestContext();
    const [a] = members(t, 1);
    a.join();
    t.setTopic('unrelated', 3);
    expect(t.coordinator.consumerGroupDescribe([g])[0].groupEpoch).toBe(1);
  });
});

describe('a group id is classic or consumer', () => {
  it('JoinGroup to a consumer group with members is INCONSISTENT_GROUP_PROTOCOL', () => {
    const t = new ConsumerGroupTestContext();
    members(t, 1)[0].join();
    const result = t.absorb(
      t.coordinator.joinGroup(t.clock.nowMs(), 'join', {
        groupId: g, memberId: '', groupInstanceId: null, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: new Uint8Array() }], clientId: 'c', clientHost: 'h', requireKnownMemberId: false,
      }),
    );
    expect(result.replies[0]).toMatchObject({ api: 'JoinGroup', response: { errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL } });
  });

  it('a consumer heartbeat to a classic group with members is GROUP_ID_NOT_FOUND; an empty one is taken over with its offsets', () => {
    const classic = new GroupTestContext({ topics: { orders: 6 } });
    const [member] = classic.stableGroup(g, 1);
    classic.commit(g, member, { 'orders/0': 42 });
    const t = new ConsumerGroupTestContext();
    t.records.push(...classic.records);
    t.restart();
    expect(t.heartbeat({ groupId: g }).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    classic.leave(g, member);
    t.records.length = 0;
    t.records.push(...classic.records);
    t.restart();
    expect(t.heartbeat({ groupId: g }).errorCode).toBe(0);
    expect(t.coordinator.offsetFetch({ groupId: g, topics: [{ name: 'orders', partitionIndexes: [0] }] }).topics[0].partitions[0].committedOffset).toBe(42);
    expect(t.coordinator.listGroups([]).groups).toEqual([{ groupId: g, protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' }]);
    expect(t.coordinator.describeGroups([g])[0]).toMatchObject({ groupState: 'Dead', members: [] });
  });

  it('OffsetCommit checks the member epoch: STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID', () => {
    const t = new ConsumerGroupTestContext();
    const [a] = members(t, 1);
    a.join();
    const code = (r: { topics: readonly { partitions: readonly { errorCode: number }[] }[] }) => r.topics[0].partitions[0].errorCode;
    expect(code(t.commit(g, a.memberId, a.memberEpoch, { 'orders/0': 5 }))).toBe(0);
    expect(code(t.commit(g, a.memberId, a.memberEpoch - 1, { 'orders/0': 6 }))).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(code(t.commit(g, 'nobody', 1, { 'orders/0': 6 }))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.coordinator.offsetFetch({ groupId: g, topics: null, memberId: a.memberId, memberEpoch: a.memberEpoch - 1 }).errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(t.coordinator.offsetFetch({ groupId: g, topics: null, memberId: a.memberId, memberEpoch: a.memberEpoch }).topics[0].partitions[0].committedOffset).toBe(5);
  });

  it('DeleteGroups refuses a consumer group with members, deletes an empty one with its offsets', () => {
    const t = new ConsumerGroupTestContext();
    const [a] = members(t, 1);
    a.join();
    t.commit(g, a.memberId, a.memberEpoch, { 'orders/0': 5 });
    const del = () => t.absorb(t.coordinator.deleteGroups(t.clock.nowMs(), `del-${t.records.length}`, [g])).replies[0];
    expect(del()).toMatchObject({ response: [{ errorCode: ErrorCode.NON_EMPTY_GROUP }] });
    a.leave();
    expect(del()).toMatchObject({ response: [{ errorCode: 0 }] });
    t.restart();
    expect(t.coordinator.listGroups([]).groups).toEqual([]);
  });
});

describe('durability', () => {
  it('replaying the records rebuilds every group mid-reconciliation, and reconciliation carries on', () => {
    const t = new ConsumerGroupTestContext({ topics: { orders: 8 } });
    const all = members(t, 3);
    all[0].join();
    all[1].join();
    all[0].poll({ slow: true }); // mid-revocation
    all[2].join();
    t.commit(g, all[1].memberId, all[1].memberEpoch, { 'orders/7': 9 });
    const before = t.coordinator.consumerSnapshot();
    t.restart();
    expect(t.coordinator.consumerSnapshot()).toEqual(before);
    t.coordinator.checkInvariants();
    settle(t, all);
    expect(all.reduce((sum, member) => sum + member.ownedCount(), 0)).toBe(8);
  });
});
