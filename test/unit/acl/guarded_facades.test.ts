// The guarded facades a request sees with an authorizer: a single-group call on a refused group
// rejects with GROUP_AUTHORIZATION_FAILED before reaching the coordinator; a call over many
// groups or transactional ids asks only for the allowed ones (nothing when none is) and answers
// every id in request order; a refused topic call rejects with TOPIC_AUTHORIZATION_FAILED.
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
});
