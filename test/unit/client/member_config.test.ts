// Settings are checked when a member is built, with messages that name the option, and the error
// table sends each code to the action Kafka's client takes.

import { describe, expect, it } from 'vitest';
import { rangeAssignor } from '../../../core/assignors/range.js';
import { memberConfigOf } from '../../../core/client/member_config.js';
import { errorActionFor } from '../../../core/client/member_errors.js';
import { ErrorCode } from '../../../core/errors.js';

describe('member config', () => {
  it("uses the rebalance timeout Java sends: max.poll.interval.ms", () => {
    const config = memberConfigOf({ groupId: 'g', assignors: [rangeAssignor], maxPollIntervalMs: 45_000 });
    expect(config.rebalanceTimeoutMs).toBe(45_000);
    expect(config.sessionTimeoutMs).toBe(30_000);
    expect(config.heartbeatIntervalMs).toBe(3_000);
  });

  it('refuses settings that cannot work, naming the option', () => {
    expect(() => memberConfigOf({ groupId: '', assignors: [rangeAssignor] })).toThrow(/groupId/);
    expect(() => memberConfigOf({ groupId: 'g', assignors: [] })).toThrow(/assignors/);
    expect(() => memberConfigOf({ groupId: 'g', assignors: [rangeAssignor, rangeAssignor] })).toThrow(/repeat/);
    expect(() => memberConfigOf({ groupId: 'g', assignors: [rangeAssignor], heartbeatIntervalMs: 30_000 })).toThrow(/heartbeatIntervalMs/);
    expect(() => memberConfigOf({ groupId: 'g', assignors: [rangeAssignor], sessionTimeoutMs: 0 })).toThrow(/sessionTimeoutMs/);
    expect(() => memberConfigOf({ groupId: 'g', assignors: [rangeAssignor], retryBackoffMs: 500, retryBackoffMaxMs: 100 })).toThrow(/retryBackoffMaxMs/);
  });
});

describe('error actions', () => {
  it('follow the table in member_errors.ts', () => {
    expect(errorActionFor('JoinGroup', ErrorCode.MEMBER_ID_REQUIRED)).toBe('memberIdRequired');
    expect(errorActionFor('JoinGroup', ErrorCode.REBALANCE_IN_PROGRESS)).toBe('retry');
    expect(errorActionFor('Heartbeat', ErrorCode.REBALANCE_IN_PROGRESS)).toBe('rejoin');
    expect(errorActionFor('SyncGroup', ErrorCode.ILLEGAL_GENERATION)).toBe('resetGeneration');
    expect(errorActionFor('Heartbeat', ErrorCode.UNKNOWN_MEMBER_ID)).toBe('resetMember');
    expect(errorActionFor('Heartbeat', ErrorCode.NOT_COORDINATOR)).toBe('retry');
    expect(errorActionFor('Heartbeat', ErrorCode.FENCED_INSTANCE_ID)).toBe('fatal');
    expect(errorActionFor('JoinGroup', ErrorCode.GROUP_MAX_SIZE_REACHED)).toBe('fatal');
    expect(errorActionFor('OffsetCommit', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe('none');
    expect(errorActionFor('OffsetCommit', ErrorCode.COORDINATOR_NOT_AVAILABLE)).toBe('none');
    expect(errorActionFor('OffsetCommit', ErrorCode.ILLEGAL_GENERATION)).toBe('resetGeneration');
  });
});
