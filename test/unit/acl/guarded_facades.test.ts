// The guarded facades a request sees with an authorizer: a single-group call on a refused group
// rejects with GROUP_AUTHORIZATION_FAILED before reaching the coordinator; a call over many
// groups or transactional ids asks only for the allowed ones (nothing when none is) and answers
// every id in request order; a refused topic call rejects with TOPIC_AUTHORIZATION_FAILED; the
// offset calls answer each refused topic TOPIC_AUTHORIZATION_FAILED and pass on only the others.
import { describe, expect, it } from 'vitest';
import { AclOperation } from '../../../core/acl/acl.js';
import { guardedBroker, guardedTxns, type MayOn } from '../../../core/acl/guarded_facades.js';
import { guardedGroups } from '../../../core/acl/guarded_groups.js';
import { ErrorCode } from '../../../core/errors.js';
import type { GroupFacade } from '../../../core/group/group_calls.js';
import type { BrokerFacade } from '../../../core/handlers/handler.js';
import type { TxnFacade } from '../../../core/txn/txn_calls.js';

/** Allows DESCRIBE and READ on names starting with "ok", nothing else. */
const may: MayOn = (operation, _type, name) => name.startsWith('ok') && (operation === AclOperation.DESCRIBE || operation === AclOperation.READ);

describe('guarded facades', () => {
  it('ask the coordinator only for allowed groups and answer every group in request order', async () => {
    const asked: (readonly string[])[] = [];
    const inner = {
      describeGroups: async (ids: readonly string[]) => {
        asked.push(ids);
        return ids.map((groupId) => ({ errorCode: 0, groupId, groupState: 'Stable' as const, protocolType: 'consumer', protocolData: 'range', members: [] }));
      },
      heartbeat: async () => ({ errorCode: 0 }),
    } as unknown as GroupFacade;
    const groups = guardedGroups(inner, may);
    const answers = await groups.describeGroups(['no-1', 'ok-1', 'no-2', 'ok-2']);
    expect(asked).toEqual([['ok-1', 'ok-2']]);
    expect(answers.map((group) => [group.groupId, group.errorCode])).toEqual([
      ['no-1', ErrorCode.GROUP_AUTHORIZATION_FAILED],
      ['ok-1', 0],
      ['no-2', ErrorCode.GROUP_AUTHORIZATION_FAILED],
      ['ok-2', 0],
    ]);
    await groups.describeGroups(['no-3']);
    expect(asked).toHaveLength(1);
    await expect(groups.heartbeat({ groupId: 'no-1', generationId: 1, memberId: 'm', groupInstanceId: null })).rejects.toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
    await expect(groups.heartbeat({ groupId: 'ok-1', generationId: 1, memberId: 'm', groupInstanceId: null })).resolves.toEqual({ errorCode: 0 });
  });

  it('answer refused transactional ids in place and refuse topic calls', async () => {
    const inner = { describeTransactions: async (ids: readonly string[]) => ids.map((transactionalId) => ({ transactionalId, errorCode: 0 })) } as unknown as TxnFacade;
    const described = await guardedTxns(inner, may).describeTransactions(['ok-t', 'no-t']);
    expect(described.map((txn) => [txn.transactionalId, txn.errorCode])).toEqual([['ok-t', 0], ['no-t', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]]);
    let deleted = 0;
    const broker = guardedBroker({ deleteTopic: async () => void (deleted += 1), listTopics: () => [] } as unknown as BrokerFacade, may);
    await expect(broker.deleteTopic('ok-topic')).rejects.toMatchObject({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    expect(deleted).toBe(0);
    expect(broker.listTopics()).toEqual([]);
  });

  it('commit, fetch and delete offsets only of the topics the client may touch, answering the rest in request order', async () => {
    const asked: { call: string; topics: string[] | null }[] = [];
    const inner = {
      offsetCommit: async (request: { topics: { name: string; partitions: { partitionIndex: number }[] }[] }) => {
        asked.push({ call: 'commit', topics: request.topics.map((topic) => topic.name) });
        return { topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })) };
      },
      offsetFetch: async (request: { topics: { name: string; partitionIndexes: number[] }[] | null }) => {
        asked.push({ call: 'fetch', topics: request.topics?.map((topic) => topic.name) ?? null });
        const topics = request.topics ?? [{ name: 'ok-a', partitionIndexes: [0] }, { name: 'no-b', partitionIndexes: [0] }];
        return { errorCode: 0, topics: topics.map((topic) => ({ name: topic.name, partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: 7, committedLeaderEpoch: -1, metadata: null, errorCode: 0 })) })) };
      },
      offsetDelete: async (request: { topics: { name: string; partitionIndexes: number[] }[] }) => {
        asked.push({ call: 'delete', topics: request.topics.map((topic) => topic.name) });
        return { errorCode: 0, topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: 0 })) })) };
      },
    } as unknown as GroupFacade;
    // READ and DESCRIBE on "ok…" names; DELETE on the group "ok-g" too, so OffsetDelete reaches the topic check.
    const groups = guardedGroups(inner, (operation, type, name) => may(operation, type, name) || (name === 'ok-g' && operation === AclOperation.DELETE));
    const codes = (answer: { topics: readonly { name: string; partitions: readonly { errorCode: number }[] }[] }) => answer.topics.map((topic) => [topic.name, topic.partitions.map((p) => p.errorCode)]);
    const refused = ErrorCode.TOPIC_AUTHORIZATION_FAILED;

    const committed = await groups.offsetCommit({
      groupId: 'ok-g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'no-x', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }, { partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] },
        { name: 'ok-a', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] },
      ],
    });
    expect(codes(committed)).toEqual([['no-x', [refused, refused]], ['ok-a', [0]]]);
    const fetched = await groups.offsetFetch({ groupId: 'ok-g', topics: [{ name: 'ok-a', partitionIndexes: [0] }, { name: 'no-x', partitionIndexes: [3] }] });
    expect(codes(fetched)).toEqual([['ok-a', [0]], ['no-x', [refused]]]);
    expect(fetched.topics[1]?.partitions[0]?.committedOffset).toBe(-1);
    const all = await groups.offsetFetch({ groupId: 'ok-g', topics: null });
    expect(all.topics.map((topic) => topic.name)).toEqual(['ok-a']);
    const deleted = await groups.offsetDelete({ groupId: 'ok-g', topics: [{ name: 'no-x', partitionIndexes: [0] }, { name: 'ok-a', partitionIndexes: [0] }] });
    expect(codes(deleted)).toEqual([['no-x', [refused]], ['ok-a', [0]]]);
    expect(asked).toEqual([
      { call: 'commit', topics: ['ok-a'] },
      { call: 'fetch', topics: ['ok-a'] },
      { call: 'fetch', topics: null },
      { call: 'delete', topics: ['ok-a'] },
    ]);

    // Only refused topics: the coordinator is not asked at all; a refused group still fails whole.
    const onlyRefused = await groups.offsetCommit({ groupId: 'ok-g', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'no-x', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect(codes(onlyRefused)).toEqual([['no-x', [refused]]]);
    expect(asked).toHaveLength(4);
    await expect(groups.offsetFetch({ groupId: 'no-g', topics: null })).rejects.toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
    await expect(groups.offsetDelete({ groupId: 'ok-other', topics: [] })).rejects.toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
  });
});
