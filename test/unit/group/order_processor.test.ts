// The seed scenario, end to end: topic `orders` (4 partitions), group `order-processor`. A and B
// consume and commit; C joins and gets a share; B dies without a LeaveGroup; after its session
// timeout its partitions move to the survivors, and OffsetFetch has every partition's offset.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import type { JoinGroupResponse } from '../../../core/group/group_api.js';
import {
  bytes,
  GroupTestContext,
  sessionTimeoutMsDefault,
  text,
  type TestMember,
} from '../../support/group_test_context.js';

const group = 'order-processor';
const partitions = [0, 1, 2, 3];

/** The leader's trivial assignor: partition i goes to member i mod n, in join order. */
function roundRobin(memberIds: readonly string[]): (memberId: string) => Uint8Array {
  return (memberId) => {
    const index = memberIds.indexOf(memberId);
    const owned = partitions.filter((partition) => partition % memberIds.length === index);
    return bytes(owned.join(','));
  };
}

function owned(t: GroupTestContext, member: TestMember): number[] {
  const assignment = text(t.sync(group, member).response.assignment);
  return assignment === '' ? [] : assignment.split(',').map(Number);
}

function leaderOf(responses: readonly JoinGroupResponse[]): JoinGroupResponse {
  const leader = responses.find((response) => response.memberId === response.leader);
  if (leader === undefined) throw new Error('no leader');
  return leader;
}

function rebalance(t: GroupTestContext, joins: JoinGroupResponse[]): TestMember[] {
  const memberIds = leaderOf(joins).members.map((member) => member.memberId);
  return t.syncAll(group, joins, roundRobin(memberIds));
}

describe('order-processor on orders', () => {
  it('moves a dead consumer’s partitions to the survivors and keeps every committed offset', () => {
    const t = new GroupTestContext({ topics: { orders: 4 } });

    // A and B start together and split the four partitions.
    const [aJoin, bJoin] = t.completeJoins(t.joinV4(group, { clientId: 'a' }), t.joinV4(group, { clientId: 'b' }));
    let [a, b] = rebalance(t, [aJoin, bJoin]);
    expect([...owned(t, a), ...owned(t, b)].sort()).toEqual(partitions);
    for (const partition of owned(t, a)) expect(t.commitCodes(group, a, { [`orders/${partition}`]: 100 + partition })).toEqual({ [`orders/${partition}`]: 0 });
    for (const partition of owned(t, b)) t.commit(group, b, { [`orders/${partition}`]: 200 + partition });

    // C joins: A and B learn it from their heartbeats and rejoin; C gets a share.
    const cPending = t.joinV4(group, { clientId: 'c' });
    expect(t.heartbeat(group, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(t.heartbeat(group, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aRejoin = t.join(group, { memberId: a.memberId });
    const bRejoin = t.join(group, { memberId: b.memberId });
    let c: TestMember;
    [a, b, c] = rebalance(t, [aRejoin.response, bRejoin.response, cPending.response]);
    expect(owned(t, c).length).toBeGreaterThan(0);
    expect([...owned(t, a), ...owned(t, b), ...owned(t, c)].sort()).toEqual(partitions);
    for (const partition of owned(t, c)) t.commit(group, c, { [`orders/${partition}`]: 300 + partition });
    const bOwned = owned(t, b);

    // B dies: no LeaveGroup, no more heartbeats. A and C keep heartbeating.
    for (let elapsed = 0; elapsed < sessionTimeoutMsDefault; elapsed += 3000) {
      t.sleep(3000);
      t.heartbeat(group, a);
      t.heartbeat(group, c);
    }
    expect(t.heartbeat(group, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aAgain = t.join(group, { memberId: a.memberId });
    const cAgain = t.join(group, { memberId: c.memberId });
    [a, c] = rebalance(t, [aAgain.response, cAgain.response]);
    expect([...owned(t, a), ...owned(t, c)].sort()).toEqual(partitions);
    for (const partition of bOwned) expect([...owned(t, a), ...owned(t, c)]).toContain(partition);

    // Every partition's committed offset is there, whoever committed it.
    const committed = t.fetch(group, [{ name: 'orders', partitionIndexes: partitions }]);
    for (const partition of partitions) expect(committed[`orders/${partition}`]).toBeGreaterThanOrEqual(100);
    expect(Object.keys(committed)).toHaveLength(4);
    expect(t.events.filter((event) => event.type === 'rebalance').map((event) => event.type === 'rebalance' && event.reason)).toEqual([
      'memberJoined',
      'memberJoined',
      'sessionTimeout',
    ]);
  });
});
