// Telemetry the coordinator reports alongside its replies. Events describe what happened; they
// never drive behaviour, so an actor may drop them without changing any group.

/** Why a rebalance started: the first cause wins for the whole rebalance. */
export type RebalanceReason =
  | 'memberJoined'
  | 'memberLeft'
  | 'sessionTimeout'
  | 'metadataChanged'
  | 'leaderRejoined'
  | 'syncTimeout'
  | 'staticMemberReplaced';

export interface RebalanceEvent {
  readonly type: 'rebalance';
  readonly groupId: string;
  /** The generation the rebalance produced. */
  readonly generationId: number;
  readonly reason: RebalanceReason;
  /** Member ids of the new generation, in join order; empty when the group ended Empty. */
  readonly members: readonly string[];
  /**
   * From the moment the rebalance began (the first JoinGroup, or the leave or expiry that
   * started it) to the moment the last SyncGroup of the new generation was answered.
   */
  readonly durationMs: number;
}

export interface MemberRemovedEvent {
  readonly type: 'memberRemoved';
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly cause: 'leaveGroup' | 'sessionTimeout' | 'rebalanceTimeout' | 'syncTimeout' | 'fenced';
}

export type GroupEvent = RebalanceEvent | MemberRemovedEvent;
