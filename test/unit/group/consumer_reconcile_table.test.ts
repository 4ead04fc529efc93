// The member state machine of the consumer group protocol (Kafka's CurrentAssignmentBuilder),
// cell by cell: the member's state, what happened, and the state and epoch it moves to. The
// table is the spec; a change in behaviour must change a row here.
import { describe, expect, it } from 'vitest';
import { emptyAssignment, toAssignment, type ConsumerMember, type ConsumerMemberState, type TopicAssignment } from '../../../core/group/consumer/consumer_group.js';
import { reconcile, type OwnerOf } from '../../../core/group/consumer/reconcile.js';

const a = (entries: Record<string, number[]>): TopicAssignment => toAssignment(Object.entries(entries));

function member(state: ConsumerMemberState, memberEpoch: number, assigned: TopicAssignment, pendingRevocation: TopicAssignment = emptyAssignment): ConsumerMember {
  return {
    memberId: 'me', instanceId: null, rackId: null, clientId: 'c', clientHost: 'h', rebalanceTimeoutMs: 1, subscribedTopicNames: ['t'],
    subscribedTopicRegex: null, serverAssignor: null, memberEpoch, previousMemberEpoch: memberEpoch - 1, state, assigned, pendingRevocation,
  };
}

const free: OwnerOf = () => undefined;
const heldByOther: OwnerOf = (topic, partition) => (topic === 't' && partition === 3 ? 'other' : undefined);

type Row = [description: string, before: ConsumerMember, targetEpoch: number, target: TopicAssignment, ownerOf: OwnerOf, owned: TopicAssignment | null, after: [ConsumerMemberState, number, Record<string, number[]>, Record<string, number[]>]];

const rows: Row[] = [
  ['STABLE at the target epoch: nothing to do', member('STABLE', 5, a({ t: [0, 1] })), 5, a({ t: [0, 1] }), free, null, ['STABLE', 5, { t: [0, 1] }, {}]],
  ['STABLE, target grew with free partitions: take them, new epoch', member('STABLE', 5, a({ t: [0] })), 6, a({ t: [0, 1] }), free, null, ['STABLE', 6, { t: [0, 1] }, {}]],
  ['STABLE, target shrank: revoke first, same epoch', member('STABLE', 5, a({ t: [0, 1] })), 6, a({ t: [0, 2] }), free, null, ['UNREVOKED_PARTITIONS', 5, { t: [0] }, { t: [1] }]],
  ['STABLE, a new partition still held elsewhere: new epoch, wait', member('STABLE', 5, a({ t: [0] })), 6, a({ t: [0, 3] }), heldByOther, null, ['UNRELEASED_PARTITIONS', 6, { t: [0] }, {}]],
  ['UNREVOKED, owned partitions not reported: wait', member('UNREVOKED_PARTITIONS', 5, a({ t: [0] }), a({ t: [1] })), 6, a({ t: [0, 2] }), free, null, ['UNREVOKED_PARTITIONS', 5, { t: [0] }, { t: [1] }]],
  ['UNREVOKED, still owns a revoked partition: wait', member('UNREVOKED_PARTITIONS', 5, a({ t: [0] }), a({ t: [1] })), 6, a({ t: [0, 2] }), free, a({ t: [0, 1] }), ['UNREVOKED_PARTITIONS', 5, { t: [0] }, { t: [1] }]],
  ['UNREVOKED, revocation confirmed: on to the target', member('UNREVOKED_PARTITIONS', 5, a({ t: [0] }), a({ t: [1] })), 6, a({ t: [0, 2] }), free, a({ t: [0] }), ['STABLE', 6, { t: [0, 2] }, {}]],
  ['UNRELEASED, the partition is still held: wait', member('UNRELEASED_PARTITIONS', 6, a({ t: [0] })), 6, a({ t: [0, 3] }), heldByOther, null, ['UNRELEASED_PARTITIONS', 6, { t: [0] }, {}]],
  ['UNRELEASED, the partition was released: take it', member('UNRELEASED_PARTITIONS', 6, a({ t: [0] })), 6, a({ t: [0, 3] }), free, null, ['STABLE', 6, { t: [0, 3] }, {}]],
];

describe('member reconciliation table', () => {
  it.each(rows)('%s', (_, before, targetEpoch, target, ownerOf, owned, [state, epoch, assigned, pending]) => {
    const after = reconcile(before, targetEpoch, target, ownerOf, owned);
    expect([after.state, after.memberEpoch, Object.fromEntries(after.assigned), Object.fromEntries(after.pendingRevocation)]).toEqual([state, epoch, assigned, pending]);
  });
});
