// Kafka's rule for offsets set from outside a group (an OffsetCommit without a generation, as
// kafka-consumer-groups.sh --reset-offsets and KafkaJS's admin.setOffsets send it): only a group
// with no members takes them, since members would overwrite them with their own positions. The
// coordinator refuses the others (UNKNOWN_MEMBER_ID and the like); this is the one sentence the
// CLI and the embedded admin say about it, with what the group is doing instead.

/** "group 'g' is Stable with 2 members; <operation> needs an Empty group (stop its consumers first)" */
export function activeGroupMessage(groupId: string, state: string, memberCount: number, operation: string): string {
  return `group '${groupId}' is ${state} with ${memberCount} member${memberCount === 1 ? '' : 's'}; ${operation} needs an Empty group (stop its consumers first)`;
}
