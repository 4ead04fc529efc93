// Group handlers: wire structs of each version ↔ core/group/group_api types, with a fake
// coordinator that records what it was asked.
import { describe, expect, it } from 'vitest';
import { ErrorCode, LanesError } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { encodeResponseFrame } from '../../../core/protocol/codec.js';
import { deleteGroups } from '../../../core/handlers/delete_groups.js';
import { describeGroups } from '../../../core/handlers/describe_groups.js';
import { findCoordinator } from '../../../core/handlers/find_coordinator.js';
import { heartbeat } from '../../../core/handlers/heartbeat.js';
import { joinGroup } from '../../../core/handlers/join_group.js';
import { leaveGroup } from '../../../core/handlers/leave_group.js';
import { listGroups } from '../../../core/handlers/list_groups.js';
import { offsetCommit } from '../../../core/handlers/offset_commit.js';
import { offsetFetch } from '../../../core/handlers/offset_fetch.js';
import { syncGroup } from '../../../core/handlers/sync_group.js';
import { advertisedApis, handlerFor, handlerTable } from '../../../core/handlers/handler_table.js';
import { apiCatalog } from '../../../core/protocol/codec.js';
import type * as group from '../../../core/group/group_api.js';
import { noResponse, type NoResponse, type TxnFacade } from '../../../core/handlers/handler.js';
import { context, FakeGroups } from './fakes.js';

function response<Body>(value: Body | NoResponse): Body {
  if (value === noResponse) throw new Error('expected a response');
  return value as Body;
}

const joinRequest = (metadata: Uint8Array) => ({
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 60_000,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata }],
  reason: null as string | null,
});

describe('JoinGroup', () => {
  it('v0 uses the session timeout as rebalance timeout and no member-id handshake; metadata is copied', async () => {
    const groups = new FakeGroups();
    const frame = new Uint8Array([1, 2, 3]);
    const answer = response(await joinGroup.handle(context({ groups, apiVersion: 0 }), joinRequest(frame)));
    const asked = groups.calls[0].request as group.JoinGroupRequest;
    expect(asked).toMatchObject({ rebalanceTimeoutMs: 10_000, requireKnownMemberId: false, clientId: 'client-1', clientHost: '/10.0.0.1' });
    frame[0] = 9; // the frame is reused: the coordinator's copy must not change
    expect([...asked.protocols[0].metadata]).toEqual([1, 2, 3]);
    expect(answer).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: 'm1', memberId: 'm1' });
  });

  it('v4+ asks for the MEMBER_ID_REQUIRED handshake and passes the rebalance timeout', async () => {
    const groups = new FakeGroups();
    await joinGroup.handle(context({ groups, apiVersion: 5 }), joinRequest(new Uint8Array(0)));
    expect(groups.calls[0].request).toMatchObject({ rebalanceTimeoutMs: 60_000, requireKnownMemberId: true });
  });

  it('v7+ answers the protocol type, v8+ passes the reason, v9+ tells a static leader to skip assigning', async () => {
    const groups = new FakeGroups();
    groups.joinResponse = { ...groups.joinResponse, skipAssignment: true };
    const answer = response(await joinGroup.handle(context({ groups, apiVersion: 9 }), { ...joinRequest(new Uint8Array(0)), reason: 'rejoining after restart' }));
    expect(groups.calls[0].request).toMatchObject({ reason: 'rejoining after restart' });
    expect(answer).toMatchObject({ protocolType: 'consumer', protocolName: 'range', skipAssignment: true });
  });

  it('a failed join answers a null protocol name from v7 and an empty one before', async () => {
    const groups = new FakeGroups();
    groups.joinResponse = { ...groups.joinResponse, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null };
    expect(response(await joinGroup.handle(context({ groups, apiVersion: 7 }), joinRequest(new Uint8Array(0)))).protocolName).toBeNull();
    expect(response(await joinGroup.handle(context({ groups, apiVersion: 6 }), joinRequest(new Uint8Array(0)))).protocolName).toBe('');
  });

  it('without a coordinator, answers COORDINATOR_NOT_AVAILABLE (and FindCoordinator says so too)', async () => {
    const answer = response(await joinGroup.handle(context({ groups: null, apiVersion: 5 }), joinRequest(new Uint8Array(0))));
    expect(answer.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const found = response(await findCoordinator.handle(context({ groups: null, apiVersion: 2 }), { key: 'g', keyType: 0, coordinatorKeys: [] }));
    expect(found.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('FindCoordinator', () => {
  it('names this node at the address the client connected to; no transaction coordinator', async () => {
    const found = response(await findCoordinator.handle(context({ apiVersion: 0 }), { key: 'g', keyType: 0, coordinatorKeys: [] }));
    expect(found).toMatchObject({ errorCode: 0, nodeId: 0, host: '10.0.0.2', port: 9092 });
    const transaction = response(await findCoordinator.handle(context({ apiVersion: 1 }), { key: 'tx', keyType: 1, coordinatorKeys: [] }));
    expect(transaction.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('v4+ answers every key of the batch in its own entry, the top-level fields unused', async () => {
    const found = response(await findCoordinator.handle(context({ apiVersion: 6 }), { key: '', keyType: 0, coordinatorKeys: ['a', 'b'] }));
    expect(found.coordinators).toEqual([
      { key: 'a', nodeId: 0, host: '10.0.0.2', port: 9092, errorCode: 0, errorMessage: null },
      { key: 'b', nodeId: 0, host: '10.0.0.2', port: 9092, errorCode: 0, errorMessage: null },
    ]);
    const transactions = response(await findCoordinator.handle(context({ apiVersion: 4 }), { key: '', keyType: 1, coordinatorKeys: ['tx'] }));
    expect(transactions.coordinators).toMatchObject([{ key: 'tx', nodeId: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }]);
  });

  it('with a transaction coordinator, names this node for transactional ids, one key (v1-v3) or a batch (v4+)', async () => {
    const txns = {} as TxnFacade; // FindCoordinator only asks whether there is one
    const one = response(await findCoordinator.handle({ ...context({ apiVersion: 3 }), txns }, { key: 'tx', keyType: 1, coordinatorKeys: [] }));
    expect(one).toMatchObject({ errorCode: 0, nodeId: 0, host: '10.0.0.2', port: 9092 });
    const batch = response(await findCoordinator.handle({ ...context({ apiVersion: 4 }), txns }, { key: '', keyType: 1, coordinatorKeys: ['tx-1', 'tx-2'] }));
    expect(batch.coordinators).toEqual([
      { key: 'tx-1', nodeId: 0, host: '10.0.0.2', port: 9092, errorCode: 0, errorMessage: null },
      { key: 'tx-2', nodeId: 0, host: '10.0.0.2', port: 9092, errorCode: 0, errorMessage: null },
    ]);
    // Group keys still need the group coordinator.
    const groups = response(await findCoordinator.handle({ ...context({ groups: null, apiVersion: 4 }), txns }, { key: '', keyType: 0, coordinatorKeys: ['g'] }));
    expect(groups.coordinators).toMatchObject([{ key: 'g', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }]);
  });
});

describe('SyncGroup and Heartbeat', () => {
  it('copies assignments and passes errors through', async () => {
    const groups = new FakeGroups();
    const assignment = new Uint8Array([7, 7]);
    const synced = response(await syncGroup.handle(context({ groups, apiVersion: 3 }), { groupId: 'g', generationId: 1, memberId: 'm1', groupInstanceId: 'i1', protocolType: null, protocolName: null, assignments: [{ memberId: 'm1', assignment }] }));
    const asked = groups.calls[0].request as group.SyncGroupRequest;
    expect(asked.assignments[0].assignment).not.toBe(assignment);
    expect(asked.groupInstanceId).toBe('i1');
    expect([...synced.assignment]).toEqual([7, 7]);
    const beat = response(await heartbeat.handle(context({ groups, apiVersion: 0 }), { groupId: 'g', generationId: 1, memberId: 'm1', groupInstanceId: null }));
    expect(beat.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('v5 passes the protocol type and name to the coordinator and answers its own', async () => {
    const groups = new FakeGroups();
    const synced = response(
      await syncGroup.handle(context({ groups, apiVersion: 5 }), { groupId: 'g', generationId: 1, memberId: 'm1', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }),
    );
    expect(groups.calls[0].request).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });
    expect(synced).toMatchObject({ errorCode: 0, protocolType: null, protocolName: null });
  });
});

describe('LeaveGroup', () => {
  it('v0–v2: one member, its error surfaces at the top; v3: a batch answered per member', async () => {
    const groups = new FakeGroups();
    groups.leaveResponse = { errorCode: 0, members: [{ memberId: 'm1', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] };
    const v1 = response(await leaveGroup.handle(context({ groups, apiVersion: 1 }), { groupId: 'g', memberId: 'm1', members: [] }));
    expect(groups.calls[0].request).toEqual({ groupId: 'g', members: [{ memberId: 'm1', groupInstanceId: null }] });
    expect(v1).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] });
    const v3 = response(await leaveGroup.handle(context({ groups, apiVersion: 3 }), { groupId: 'g', memberId: '', members: [{ memberId: 'm1', groupInstanceId: null, reason: null }] }));
    expect(v3.errorCode).toBe(0);
    expect(v3.members).toEqual([{ memberId: 'm1', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }]);
    await leaveGroup.handle(context({ groups, apiVersion: 5 }), { groupId: 'g', memberId: '', members: [{ memberId: 'm1', groupInstanceId: null, reason: 'shutting down' }] });
    expect(groups.calls[2].request).toEqual({ groupId: 'g', members: [{ memberId: 'm1', groupInstanceId: null, reason: 'shutting down' }] });
  });
});

describe('offsets', () => {
  it('OffsetCommit maps topics both ways', async () => {
    const groups = new FakeGroups();
    const committed = response(await offsetCommit.handle(context({ groups, apiVersion: 2 }), {
      groupId: 'g',
      generationId: 3,
      memberId: 'm1',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ topicName: 't', partitions: [{ partitionIndex: 1, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null }] }],
    }));
    expect(groups.calls[0].request).toEqual({
      groupId: 'g', generationId: 3, memberId: 'm1', groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(committed.topics).toEqual([{ topicName: 't', partitions: [{ partitionIndex: 1, errorCode: 0 }] }]);
  });

  it('OffsetCommit answers a coordinator that could not store the commit on every partition, keeping the connection', async () => {
    const groups = new FakeGroups();
    groups.offsetCommit = async () => {
      throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, 'write failed: ENOSPC');
    };
    const committed = response(await offsetCommit.handle(context({ groups, apiVersion: 7 }), {
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ topicName: 't', partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null })) }],
    }));
    expect(committed.topics).toEqual([{ topicName: 't', partitions: [{ partitionIndex: 0, errorCode: 56 }, { partitionIndex: 1, errorCode: 56 }] }]);
  });

  it('OffsetFetch: v1 reports a group error on every partition, v2+ at the top; null topics from v2', async () => {
    const groups = new FakeGroups();
    groups.offsetFetchResponse = {
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] }],
    };
    const v1 = response(await offsetFetch.handle(context({ groups, apiVersion: 1 }), { groupId: 'g', topics: [{ topicName: 't', partitionIndexes: [0] }], groups: [], requireStable: false }));
    expect(v1.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, committedOffset: -1, metadata: '' });
    const v3 = response(await offsetFetch.handle(context({ groups, apiVersion: 3 }), { groupId: 'g', topics: null, groups: [], requireStable: false }));
    expect(v3.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(v3.topics[0].partitions[0].errorCode).toBe(0);
    expect(groups.calls[1].request).toEqual({ groupId: 'g', topics: null });
  });

  it('OffsetFetch requireStable (v7+, KIP-447): a partition an open transaction staged an offset for answers UNSTABLE_OFFSET_COMMIT until it ends', async () => {
    const groups = new FakeGroups();
    groups.offsetFetchResponse = {
      errorCode: ErrorCode.NONE,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }, { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] },
        { name: 'u', partitions: [{ partitionIndex: 0, committedOffset: 30, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] },
      ],
    };
    let state = 'Ongoing';
    const txns = {
      listTransactions: async () => ({ unknownStates: [], transactions: state === 'CompleteCommit' ? [] : [{ transactionalId: 'eos', producerId: 1, state }] }),
      describeTransactions: async () => [
        { transactionalId: 'eos', errorCode: 0, state, timeoutMs: 60_000, startMs: 0, producerId: 1, producerEpoch: 0, topics: [], groups: ['g', 'h'], stagedOffsets: [{ groupId: 'g', topic: 't', partition: 0 }] },
      ],
    } as unknown as TxnFacade;
    // Only the staged partition is unstable: t/1 and u/0 of the same group, and every partition of
    // group h (added by AddOffsetsToTxn, nothing staged), answer their committed offsets.
    const answers = async (groupId: string) => {
      const ctx = { ...context({ groups, apiVersion: 8 }), txns };
      const body = { groupId: '', topics: null, requireStable: true, groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }] };
      return response(await offsetFetch.handle(ctx, body)).groups[0].topics.flatMap((topic) => topic.partitions.map((p) => [topic.topicName, p.partitionIndex, p.errorCode, p.committedOffset]));
    };
    expect(await answers('g')).toEqual([['t', 0, ErrorCode.UNSTABLE_OFFSET_COMMIT, -1], ['t', 1, 0, 20], ['u', 0, 0, 30]]);
    expect(await answers('h')).toEqual([['t', 0, 0, 10], ['t', 1, 0, 20], ['u', 0, 0, 30]]);
    const fetch = async (apiVersion: number, groupId: string, requireStable: boolean) => {
      const ctx = { ...context({ groups, apiVersion }), txns };
      const body = apiVersion >= 8
        ? { groupId: '', topics: null, requireStable, groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ topicName: 't', partitionIndexes: [0] }] }] }
        : { groupId, topics: [{ topicName: 't', partitionIndexes: [0] }], groups: [], requireStable };
      const answer = response(await offsetFetch.handle(ctx, body));
      return (apiVersion >= 8 ? answer.groups[0].topics : answer.topics)[0].partitions[0];
    };
    for (const version of [7, 8]) {
      state = 'Ongoing';
      expect(await fetch(version, 'g', true)).toMatchObject({ errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT, committedOffset: -1 });
      state = 'PrepareCommit';
      expect(await fetch(version, 'g', true)).toMatchObject({ errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT, committedOffset: -1 });
      // Without requireStable, or for a group the transaction does not touch: the committed offset.
      expect(await fetch(version, 'g', false)).toMatchObject({ errorCode: 0, committedOffset: 10 });
      expect(await fetch(version, 'other', true)).toMatchObject({ errorCode: 0, committedOffset: 10 });
      state = 'CompleteCommit';
      expect(await fetch(version, 'g', true)).toMatchObject({ errorCode: 0, committedOffset: 10 });
    }
  });
});

describe('admin group APIs', () => {
  it('DescribeGroups, ListGroups (either result shape), DeleteGroups', async () => {
    const groups = new FakeGroups();
    const described = response(await describeGroups.handle(context({ groups, apiVersion: 4 }), { groups: ['a', 'b'], includeAuthorizedOperations: false }));
    expect(described.groups.map((g) => [g.groupId, g.groupState, g.protocolData])).toEqual([['a', 'Stable', 'range'], ['b', 'Stable', 'range']]);
    const listed = response(await listGroups.handle(context({ groups, apiVersion: 2 }), { statesFilter: [], typesFilter: [] }));
    expect(listed).toEqual({ throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' }] });
    const deleted = response(await deleteGroups.handle(context({ groups, apiVersion: 1 }), { groupsNames: ['x'] }));
    expect(deleted.results).toEqual([{ groupId: 'x', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });
});

describe('DescribeGroups v6 (KIP-1043)', () => {
  // The coordinator describes an id without a classic group as Dead, as Kafka answers up to v5;
  // from v6 Kafka answers GROUP_ID_NOT_FOUND, saying whether the id is a consumer-protocol group.
  const dead = (groupId: string) => ({ errorCode: 0, groupId, groupState: 'Dead' as const, protocolType: '', protocolData: '', members: [] });
  const setUp = () => {
    const groups = new FakeGroups();
    groups.describedGroups.set('gone', dead('gone'));
    groups.describedGroups.set('kip848', dead('kip848'));
    groups.consumerDescribeResponse = [
      { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'no such group', groupId: 'gone', groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] },
      { errorCode: ErrorCode.NONE, errorMessage: null, groupId: 'kip848', groupState: 'Stable', groupEpoch: 3, assignmentEpoch: 3, assignorName: 'uniform', members: [] },
    ] as never;
    return groups;
  };

  it('v6 answers GROUP_ID_NOT_FOUND for an unknown id and a consumer-protocol group, with Kafka\'s messages', async () => {
    const groups = setUp();
    const described = response(await describeGroups.handle(context({ groups, apiVersion: 6 }), { groups: ['classic', 'gone', 'kip848'], includeAuthorizedOperations: false }));
    expect(described.groups.map(({ groupId, errorCode, errorMessage, groupState }) => ({ groupId, errorCode, errorMessage, groupState }))).toEqual([
      { groupId: 'classic', errorCode: ErrorCode.NONE, errorMessage: null, groupState: 'Stable' },
      { groupId: 'gone', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group "gone" not found.', groupState: '' },
      { groupId: 'kip848', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group "kip848" is not a classic group.', groupState: '' },
    ]);
    expect(() => encodeResponseFrame(ApiKey.DescribeGroups, 6, 1, described)).not.toThrow();
  });

  it('v5 still describes both as Dead without an error, and asks nothing more', async () => {
    const groups = setUp();
    const described = response(await describeGroups.handle(context({ groups, apiVersion: 5 }), { groups: ['gone', 'kip848'], includeAuthorizedOperations: false }));
    expect(described.groups.map(({ errorCode, groupState }) => [errorCode, groupState])).toEqual([
      [ErrorCode.NONE, 'Dead'],
      [ErrorCode.NONE, 'Dead'],
    ]);
    expect(groups.calls.map((call) => call.api)).toEqual(['describeGroups']);
  });
});

describe('handler table', () => {
  it('serves exactly what it advertises, inside the codec ranges', () => {
    for (const api of advertisedApis) {
      const codec = apiCatalog.find((entry) => entry.apiKey === api.apiKey)!;
      expect(api.versionMin).toBeGreaterThanOrEqual(codec.versionMin);
      expect(api.versionMax).toBeLessThanOrEqual(codec.versionMax);
      expect(handlerFor(api.apiKey, api.versionMax)).toBe(handlerTable.get(api.apiKey));
      expect(handlerFor(api.apiKey, api.versionMax + 1)).toBeUndefined();
      expect(handlerFor(api.apiKey, api.versionMin - 1)).toBeUndefined();
    }
    expect(handlerFor(999, 0)).toBeUndefined();
    // Produce must contain 3 and 7, Fetch 4 and 10: librdkafka derives its feature flags from them.
    const range = (key: number) => advertisedApis.find((api) => api.apiKey === key)!;
    expect([range(0).versionMin, range(0).versionMax]).toEqual([3, 13]);
    expect([range(1).versionMin, range(1).versionMax]).toEqual([4, 17]);
    expect(range(9).versionMin).toBe(1);
    expect(range(8).versionMin).toBeLessThanOrEqual(2);
  });
});
