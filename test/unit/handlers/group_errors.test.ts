// Group handlers when the coordinator call itself fails with an operating error: a coordinator
// taken offline (COORDINATOR_NOT_AVAILABLE) or a request too large to reach its shard
// (MESSAGE_TOO_LARGE from the host's ring). Each API answers a code in its own response shape;
// before, the error escaped the handler and the connection was closed.
import { describe, expect, it } from 'vitest';
import { ErrorCode, LanesError } from '../../../core/errors.js';
import { groupMethods } from '../../../core/group/group_calls.js';
import { deleteGroups } from '../../../core/handlers/delete_groups.js';
import { describeGroups } from '../../../core/handlers/describe_groups.js';
import { heartbeat } from '../../../core/handlers/heartbeat.js';
import { joinGroup } from '../../../core/handlers/join_group.js';
import { leaveGroup } from '../../../core/handlers/leave_group.js';
import { listGroups } from '../../../core/handlers/list_groups.js';
import { offsetCommit } from '../../../core/handlers/offset_commit.js';
import { offsetDelete } from '../../../core/handlers/offset_delete.js';
import { offsetFetch } from '../../../core/handlers/offset_fetch.js';
import { syncGroup } from '../../../core/handlers/sync_group.js';
import { context, FakeGroups } from './fakes.js';

/** A coordinator whose every call fails with `error`. */
function failingGroups(error: Error): FakeGroups {
  const groups = new FakeGroups();
  for (const method of groupMethods) (groups as unknown as Record<string, () => Promise<never>>)[method] = () => Promise.reject(error);
  return groups;
}

/** Every error code anywhere in a response body. */
function codesIn(value: unknown, codes = new Set<number>()): Set<number> {
  if (Array.isArray(value)) for (const each of value) codesIn(each, codes);
  else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [key, field] of Object.entries(value)) {
      if (key === 'errorCode' && typeof field === 'number') codes.add(field);
      else codesIn(field, codes);
    }
  }
  return codes;
}

/** Each group API's call against `groups`, by API name. */
function calls(groups: FakeGroups): Record<string, () => Promise<unknown>> {
  const ctx = (apiVersion: number) => context({ groups, apiVersion });
  const topics = [{ topicName: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }];
  return {
    JoinGroup: () => joinGroup.handle(ctx(5), { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(1) }], reason: null }),
    SyncGroup: () => syncGroup.handle(ctx(3), { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }),
    Heartbeat: () => heartbeat.handle(ctx(3), { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }),
    LeaveGroup: () => leaveGroup.handle(ctx(3), { groupId: 'g', memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] }),
    OffsetCommit: () => offsetCommit.handle(ctx(7), { groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics }),
    OffsetFetch: () => offsetFetch.handle(ctx(7), { groupId: 'g', topics: [{ topicName: 't', partitionIndexes: [0] }], groups: [], requireStable: false }),
    OffsetDelete: () => offsetDelete.handle(ctx(0), { groupId: 'g', topics: [{ topicName: 't', partitions: [{ partitionIndex: 0 }] }] }),
    DescribeGroups: () => describeGroups.handle(ctx(4), { groups: ['g'], includeAuthorizedOperations: false }),
    ListGroups: () => listGroups.handle(ctx(3), { statesFilter: [], typesFilter: [] }),
    DeleteGroups: () => deleteGroups.handle(ctx(2), { groupsNames: ['g'] }),
  };
}

async function answers(groups: FakeGroups): Promise<Record<string, Set<number>>> {
  const codes: Record<string, Set<number>> = {};
  for (const [api, call] of Object.entries(calls(groups))) {
    const body = await call();
    // OffsetFetch v2+: the group's error at the top, the partitions NONE (as Kafka answers).
    codes[api] = api === 'OffsetFetch' ? new Set([(body as { errorCode: number }).errorCode]) : codesIn(body);
  }
  return codes;
}

describe('group handlers answer a failed coordinator call with a code', () => {
  it('COORDINATOR_NOT_AVAILABLE from an offline coordinator reaches the client as it is', async () => {
    const codes = await answers(failingGroups(new LanesError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'group coordinator offline')));
    for (const [api, found] of Object.entries(codes)) expect([api, [...found]]).toEqual([api, [ErrorCode.COORDINATOR_NOT_AVAILABLE]]);
  });

  it('a request too large to reach the coordinator: INVALID_REQUEST, and INVALID_COMMIT_OFFSET_SIZE for OffsetCommit', async () => {
    const codes = await answers(failingGroups(new LanesError(ErrorCode.MESSAGE_TOO_LARGE, "request exceeds the ring's record")));
    for (const [api, found] of Object.entries(codes)) {
      const expected = api === 'OffsetCommit' ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.INVALID_REQUEST;
      expect([api, [...found]]).toEqual([api, [expected]]);
    }
  });

  it('a bug (not a LanesError) still propagates: the connection layer logs it and closes', async () => {
    // Each API on its own: a single chain would stop at the first API that rethrows.
    for (const [api, call] of Object.entries(calls(failingGroups(new TypeError('bug'))))) {
      await expect(call(), api).rejects.toThrow('bug');
    }
  });
});
