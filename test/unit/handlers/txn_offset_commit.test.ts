// TxnOffsetCommit v3+ (KIP-447): the request names the consumer whose offsets it stages, and the
// group coordinator checks that member before the transaction coordinator stages anything, so a
// zombie member paused past a rebalance cannot commit over its successor's offsets.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import type { TxnFacade } from '../../../core/handlers/handler.js';
import { txnOffsetCommit } from '../../../core/handlers/txn_offset_commit.js';
import { context, FakeBroker, FakeGroups } from './fakes.js';

const body = {
  transactionalId: 'eos-1',
  groupId: 'g',
  producerId: 7n,
  producerEpoch: 0,
  generationId: 3,
  memberId: 'member-a',
  groupInstanceId: null,
  topics: [{ topicName: 'in', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null }] }],
};

async function commit(apiVersion: number, memberError: number) {
  const broker = new FakeBroker();
  await broker.createTopic('in', { partitions: 1 });
  const groups = new FakeGroups();
  groups.txnOffsetCommitMemberError = memberError;
  const staged: unknown[] = [];
  const txns = { txnOffsetCommit: async (request: unknown) => (staged.push(request), { errorCode: ErrorCode.NONE }) } as unknown as TxnFacade;
  const ctx = { ...context({ broker, groups, apiVersion }), txns };
  const response = await txnOffsetCommit.handle(ctx, body as never);
  if (typeof response === 'symbol') throw new Error('a response');
  const codes = response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode));
  return { codes, staged, asked: groups.calls.filter((call) => call.api === 'validateTxnOffsetCommit').map((call) => call.request) };
}

describe('TxnOffsetCommit', () => {
  it('v3+: asks the group coordinator about the member it names, then stages the offsets', async () => {
    const { codes, staged, asked } = await commit(3, ErrorCode.NONE);
    expect(asked).toEqual([{ groupId: 'g', memberId: 'member-a', generationId: 3, groupInstanceId: null }]);
    expect(codes).toEqual([ErrorCode.NONE]);
    expect(staged).toHaveLength(1);
  });

  it('v3+: a member the group refuses (a zombie of an old generation) gets that code on every partition, and nothing is staged', async () => {
    for (const refusal of [ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_INSTANCE_ID]) {
      const { codes, staged } = await commit(4, refusal);
      expect(codes).toEqual([refusal]);
      expect(staged).toEqual([]);
    }
  });

  it('before v3 the request names no member, and none is checked', async () => {
    const { codes, staged, asked } = await commit(2, ErrorCode.ILLEGAL_GENERATION);
    expect(asked).toEqual([]);
    expect(codes).toEqual([ErrorCode.NONE]);
    expect(staged).toHaveLength(1);
  });
});
