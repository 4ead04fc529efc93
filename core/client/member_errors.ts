// What a group member does about each error code the coordinator answers, per API: the table
// behind ConsumerCoordinator/AbstractCoordinator's response handlers, written out once so that the
// state machine only switches on the action.
//
//   code                                         JoinGroup         SyncGroup/Heartbeat   OffsetCommit
//   NONE                                         -                 -                     -
//   COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,  retry            retry                 none (caller retries)
//     COORDINATOR_LOAD_IN_PROGRESS,
//     REQUEST_TIMED_OUT, NETWORK_EXCEPTION
//   MEMBER_ID_REQUIRED                           memberIdRequired  fatal                 fatal
//   REBALANCE_IN_PROGRESS                        retry             rejoin                rejoin
//   ILLEGAL_GENERATION                           resetGeneration   resetGeneration       resetGeneration
//   UNKNOWN_MEMBER_ID                            resetMember       resetMember           resetMember
//   FENCED_INSTANCE_ID and anything else         fatal             fatal                 fatal / none
//
// resetGeneration and resetMember mean the coordinator no longer counts this member's generation:
// its partitions may already be someone else's, so they are reported lost, never revoked.
// OffsetCommit's per-partition data errors (UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE
// …) concern the commit only; they go back to the caller and leave the membership alone.

import { ErrorCode } from '../errors.js';
import type { MemberApi } from '../group/group_api.js';

export type ErrorAction =
  /** Nothing to do for the membership. */
  | 'none'
  /** The coordinator is unavailable or moved: back off, then try again. */
  | 'retry'
  /** Rejoin, keeping member id and generation (cooperative members keep their partitions). */
  | 'rejoin'
  /** JoinGroup v4+: rejoin at once with the member id the coordinator just gave. */
  | 'memberIdRequired'
  /** Forget the generation (partitions lost), keep the member id, rejoin. */
  | 'resetGeneration'
  /** Forget member id and generation (partitions lost), rejoin as a new member. */
  | 'resetMember'
  /** Stop taking part; report CRASH. */
  | 'fatal';

const coordinatorCodes: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
]);

/** True for the codes that mean "find the coordinator again and retry". */
export function isCoordinatorError(errorCode: number): boolean {
  return coordinatorCodes.has(errorCode);
}

export function errorActionFor(api: Exclude<MemberApi, 'LeaveGroup'>, errorCode: number): ErrorAction {
  if (errorCode === ErrorCode.NONE) return 'none';
  if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) return 'resetMember';
  if (errorCode === ErrorCode.ILLEGAL_GENERATION) return 'resetGeneration';
  if (errorCode === ErrorCode.FENCED_INSTANCE_ID) return 'fatal';
  if (api === 'OffsetCommit') {
    if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return 'rejoin';
    return 'none';
  }
  if (isCoordinatorError(errorCode)) return 'retry';
  if (errorCode === ErrorCode.MEMBER_ID_REQUIRED) return api === 'JoinGroup' ? 'memberIdRequired' : 'fatal';
  if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return api === 'JoinGroup' ? 'retry' : 'rejoin';
  // INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID, GROUP_MAX_SIZE_REACHED,
  // GROUP_AUTHORIZATION_FAILED, UNKNOWN_SERVER_ERROR and codes no coordinator should send: retrying
  // would only repeat them, and the user has to change something.
  return 'fatal';
}
