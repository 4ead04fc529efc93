// MemberState against an adversarial coordinator: fast-check picks which outstanding request gets
// answered next, with what (success, any error code the group APIs return, a lost connection),
// interleaved with time passing, polls, metadata changes, commits and stop. Whatever the order:
//
// - the callbacks describe a consistent ownership: a partition is revoked or lost only while owned,
//   assigned only while not owned, and the member's owned set always equals
//   assigned − revoked − lost as the callbacks reported them;
// - every request carries a generation the coordinator actually gave (or −1 in a subscription);
// - an eager member owns nothing while it is not stable.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cooperativeStickyAssignor } from '../../../core/assignors/cooperative_sticky.js';
import { decodeSubscription, encodeAssignment, encodeSubscription } from '../../../core/assignors/consumer_protocol.js';
import { rangeAssignor } from '../../../core/assignors/range.js';
import type { MemberEffect } from '../../../core/client/member_effects.js';
import type { MemberRequest } from '../../../core/group/group_api.js';
import { MemberState } from '../../../core/client/member_state.js';
import { ErrorCode } from '../../../core/errors.js';

const errorCodes = [
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.MEMBER_ID_REQUIRED,
  ErrorCode.FENCED_INSTANCE_ID,
];

type Operation =
  | { kind: 'tick'; advanceMs: number }
  | { kind: 'poll'; advanceMs: number }
  | { kind: 'answer'; pick: number; ok: boolean; errorPick: number; partitions: number[]; leader: boolean; extraTopic: boolean }
  | { kind: 'fail'; pick: number }
  | { kind: 'metadata'; partitionCount: number; withU: boolean }
  | { kind: 'commit' }
  | { kind: 'stop' };

const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.integer({ min: 0, max: 4_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('poll' as const), advanceMs: fc.integer({ min: 0, max: 4_000 }) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      pick: fc.nat(),
      ok: fc.boolean(),
      errorPick: fc.nat(),
      partitions: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 6 }),
      leader: fc.boolean(),
      extraTopic: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('metadata' as const), partitionCount: fc.integer({ min: 1, max: 6 }), withU: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stop' as const }) },
);

function key(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

class Checker {
  readonly model = new Set<string>();
  readonly generationsGiven = new Set<number>();
  readonly pending: { requestId: number; request: MemberRequest }[] = [];

  constructor(private readonly member: MemberState) {}

  apply(effects: readonly MemberEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.checkGeneration(effect.request);
          this.pending.push({ requestId: effect.requestId, request: effect.request });
          break;
        case 'assigned':
          for (const { topic, partitions } of effect.partitions) {
            for (const partition of partitions) {
              expect(this.model.has(key(topic, partition)), `assigned ${key(topic, partition)} while owned`).toBe(false);
              this.model.add(key(topic, partition));
            }
          }
          break;
        case 'revoked':
        case 'lost':
          for (const { topic, partitions } of effect.partitions) {
            for (const partition of partitions) {
              expect(this.model.has(key(topic, partition)), `${effect.type} ${key(topic, partition)} while not owned`).toBe(true);
              this.model.delete(key(topic, partition));
            }
          }
          break;
        case 'event':
        case 'watchTopics':
        case 'commitCompleted':
        case 'commitRefused':
          break;
      }
    }
    const owned = this.member.ownedPartitions().flatMap(({ topic, partitions }) => partitions.map((p) => key(topic, p)));
    expect(new Set(owned)).toEqual(this.model);
    if (this.member.protocol === 'EAGER' && this.member.phase !== 'stable') expect(owned).toEqual([]);
  }

  private checkGeneration(request: MemberRequest): void {
    switch (request.api) {
      case 'SyncGroup':
      case 'Heartbeat':
      case 'OffsetCommit':
        expect(this.generationsGiven.has(request.body.generationId), `${request.api} with generation ${request.body.generationId}`).toBe(true);
        break;
      case 'JoinGroup':
        for (const protocol of request.body.protocols) {
          const generationId = decodeSubscription(protocol.metadata).generationId;
          expect(generationId === -1 || this.generationsGiven.has(generationId), `subscription with generation ${generationId}`).toBe(true);
        }
        break;
      case 'LeaveGroup':
        break;
    }
  }
}

function run(cooperative: boolean, operations: readonly Operation[]): void {
  const member = new MemberState({
    groupId: 'g',
    assignors: [cooperative ? cooperativeStickyAssignor : rangeAssignor],
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    maxPollIntervalMs: 15_000,
    retryBackoffMs: 100,
  });
  const checker = new Checker(member);
  let nowMs = 0;
  let generationCounter = 0;
  let memberCounter = 0;
  checker.apply(member.metadataChanged(new Map([['t', 6]]), nowMs));
  checker.apply(member.start({ topics: ['t', /^u$/] }, nowMs));

  for (const op of operations) {
    switch (op.kind) {
      case 'tick':
        nowMs += op.advanceMs;
        checker.apply(member.tick(nowMs));
        break;
      case 'poll':
        nowMs += op.advanceMs;
        checker.apply(member.pollCompleted(nowMs));
        break;
      case 'fail': {
        if (checker.pending.length === 0) break;
        const [{ requestId }] = checker.pending.splice(op.pick % checker.pending.length, 1);
        checker.apply(member.requestFailed(requestId, nowMs));
        break;
      }
      case 'metadata': {
        const metadata = new Map([['t', op.partitionCount]]);
        if (op.withU) metadata.set('u', 2);
        checker.apply(member.metadataChanged(metadata, nowMs));
        break;
      }
      case 'commit':
        checker.apply(member.commitOffsets([{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }], nowMs));
        break;
      case 'stop':
        checker.apply(member.stop(nowMs));
        break;
      case 'answer': {
        if (checker.pending.length === 0) break;
        const [{ requestId, request }] = checker.pending.splice(op.pick % checker.pending.length, 1);
        const errorCode = op.ok ? ErrorCode.NONE : errorCodes[op.errorPick % errorCodes.length];
        switch (request.api) {
          case 'JoinGroup': {
            const memberId = request.body.memberId || `m-${++memberCounter}`;
            if (errorCode !== ErrorCode.NONE) {
              checker.apply(member.joinGroupResponse(requestId, { errorCode, generationId: -1, protocolName: null, leader: '', memberId, members: [] }, nowMs));
              break;
            }
            const generationId = ++generationCounter;
            checker.generationsGiven.add(generationId);
            const protocol = request.body.protocols[0];
            const members = op.leader
              ? [
                  { memberId, groupInstanceId: null, metadata: protocol.metadata },
                  { memberId: 'other', groupInstanceId: null, metadata: encodeSubscription({ version: 0, topics: ['t'] }) },
                ]
              : [];
            const response = { errorCode, generationId, protocolName: protocol.name, leader: op.leader ? memberId : 'other', memberId, members };
            checker.apply(member.joinGroupResponse(requestId, response, nowMs));
            break;
          }
          case 'SyncGroup': {
            const assignedPartitions = [{ topic: 't', partitions: op.partitions }];
            if (op.extraTopic) assignedPartitions.push({ topic: 'v', partitions: [0] }); // not subscribed
            const assignment = encodeAssignment({ version: 0, assignedPartitions });
            checker.apply(member.syncGroupResponse(requestId, { errorCode, assignment }, nowMs));
            break;
          }
          case 'Heartbeat':
            checker.apply(member.heartbeatResponse(requestId, { errorCode }, nowMs));
            break;
          case 'LeaveGroup':
            checker.apply(member.leaveGroupResponse(requestId, { errorCode }, nowMs));
            break;
          case 'OffsetCommit':
            checker.apply(member.offsetCommitResponse(requestId, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode }] }] }, nowMs));
            break;
        }
        break;
      }
    }
  }
}

describe('MemberState under arbitrary coordinator answers and timing', () => {
  it('ownership stays consistent and requests carry only given generations (eager and cooperative)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(operationArb, { maxLength: 80 }), (cooperative, operations) => run(cooperative, operations)),
      { numRuns: 400 },
    );
  });
});
