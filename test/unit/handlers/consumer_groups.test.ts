// The KIP-848 handlers: ConsumerGroupHeartbeat and ConsumerGroupDescribe map the wire's topic ids
// to the coordinator's names and back; ListGroups v4/v5 filter by state and type; OffsetFetch v8+
// answers per group and passes v9's member id and epoch on.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { consumerGroupDescribe } from '../../../core/handlers/consumer_group_describe.js';
import { consumerGroupHeartbeat } from '../../../core/handlers/consumer_group_heartbeat.js';
import { listGroups } from '../../../core/handlers/list_groups.js';
import { noResponse, type NoResponse } from '../../../core/handlers/handler.js';
import { offsetFetch } from '../../../core/handlers/offset_fetch.js';
import { context, FakeBroker, FakeGroups } from './fakes.js';

function response<Body>(value: Body | NoResponse): Body {
  if (value === noResponse) throw new Error('expected a response');
  return value as Body;
}

/** The id FakeBroker gives its first topic ("orders" in each test): 1 in the last byte. */
const ordersId = Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0));

const heartbeatRequest = {
  groupId: 'g',
  memberId: 'member-1',
  memberEpoch: 3,
  instanceId: null,
  rackId: null,
  rebalanceTimeoutMs: -1,
  subscribedTopicNames: null,
  subscribedTopicRegex: null,
  serverAssignor: null,
  topicPartitions: [
    { topicId: ordersId, partitions: [0, 1] },
    { topicId: new Uint8Array(16).fill(9), partitions: [5] }, // a topic deleted meanwhile
  ],
};

describe('ConsumerGroupHeartbeat', () => {
  it('owned partitions by id reach the coordinator by name; the assignment goes back by id', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('orders', { partitions: 4 });
    const groups = new FakeGroups();
    groups.consumerHeartbeatResponse = { errorCode: 0, errorMessage: null, memberId: 'member-1', memberEpoch: 4, heartbeatIntervalMs: 5_000, assignment: [{ topic: 'orders', partitions: [2, 3] }] };
    const answer = response(await consumerGroupHeartbeat.handle(context({ broker, groups, apiVersion: 1 }), heartbeatRequest));
    expect(groups.calls[0].request).toMatchObject({ ownedPartitions: [{ topic: 'orders', partitions: [0, 1] }], clientId: 'client-1', clientHost: '/10.0.0.1' });
    expect(answer).toEqual({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId: 'member-1', memberEpoch: 4, heartbeatIntervalMs: 5_000,
      assignment: { topicPartitions: [{ topicId: ordersId, partitions: [2, 3] }] },
    });
  });

  it('v1 requires a member id made by the client; v0 lets the coordinator make one', async () => {
    const groups = new FakeGroups();
    const v1 = response(await consumerGroupHeartbeat.handle(context({ groups, apiVersion: 1 }), { ...heartbeatRequest, memberId: '', memberEpoch: 0 }));
    expect(v1).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "MemberId can't be empty." });
    expect(groups.calls).toEqual([]);
    await consumerGroupHeartbeat.handle(context({ groups, apiVersion: 0 }), { ...heartbeatRequest, memberId: '', memberEpoch: 0 });
    expect(groups.calls).toHaveLength(1);
  });

  it('answers COORDINATOR_NOT_AVAILABLE without a coordinator', async () => {
    const answer = response(await consumerGroupHeartbeat.handle(context({ groups: null, apiVersion: 1 }), heartbeatRequest));
    expect(answer.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('ConsumerGroupDescribe', () => {
  it('describes assignments with topic id and name, member type 1 (consumer)', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('orders', { partitions: 4 });
    const groups = new FakeGroups();
    groups.consumerDescribeResponse = [{
      errorCode: 0, errorMessage: null, groupId: 'g', groupState: 'Stable', groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform',
      members: [{ memberId: 'm', instanceId: null, rackId: null, memberEpoch: 2, clientId: 'c', clientHost: 'h', subscribedTopicNames: ['orders'], subscribedTopicRegex: null, assignment: [{ topic: 'orders', partitions: [0] }], targetAssignment: [{ topic: 'orders', partitions: [0, 1] }] }],
    }];
    const answer = response(await consumerGroupDescribe.handle(context({ broker, groups, apiVersion: 1 }), { groupIds: ['g'], includeAuthorizedOperations: false }));
    expect(answer.groups[0].members[0]).toMatchObject({
      memberType: 1,
      assignment: { topicPartitions: [{ topicId: ordersId, topicName: 'orders', partitions: [0] }] },
      targetAssignment: { topicPartitions: [{ topicId: ordersId, topicName: 'orders', partitions: [0, 1] }] },
    });
  });
});

describe('ListGroups v4/v5 and OffsetFetch v8/v9', () => {
  it('ListGroups passes the states filter to the coordinator and filters types itself', async () => {
    const groups = new FakeGroups();
    const consumer = response(await listGroups.handle(context({ groups, apiVersion: 5 }), { statesFilter: ['Empty'], typesFilter: ['Consumer'] }));
    expect(consumer.groups).toEqual([]);
    expect(groups.calls[0].request).toEqual(['Empty']);
    const classic = response(await listGroups.handle(context({ groups, apiVersion: 5 }), { statesFilter: [], typesFilter: ['classic'] }));
    expect(classic.groups).toEqual([{ groupId: 'g', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' }]);
  });

  it('OffsetFetch v9 asks each group with its member id and epoch and answers per group', async () => {
    const groups = new FakeGroups();
    groups.offsetFetchResponse = { errorCode: ErrorCode.STALE_MEMBER_EPOCH, topics: [] };
    const answer = response(
      await offsetFetch.handle(context({ groups, apiVersion: 9 }), {
        groupId: '', topics: [], requireStable: false,
        groups: [{ groupId: 'a', memberId: 'm', memberEpoch: 3, topics: null }, { groupId: 'b', memberId: null, memberEpoch: -1, topics: [{ topicName: 't', partitionIndexes: [0] }] }],
      }),
    );
    expect(groups.calls.map((call) => call.request)).toEqual([
      { groupId: 'a', topics: null, memberId: 'm', memberEpoch: 3 },
      { groupId: 'b', topics: [{ name: 't', partitionIndexes: [0] }], memberId: null, memberEpoch: -1 },
    ]);
    expect(answer.groups.map((group) => [group.groupId, group.errorCode])).toEqual([['a', ErrorCode.STALE_MEMBER_EPOCH], ['b', ErrorCode.STALE_MEMBER_EPOCH]]);
  });
});
