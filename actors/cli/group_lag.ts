// A consumer group's lag per partition, as `lanes group describe` prints it and the admin port's
// /metrics and dashboard report it (one computation, so the figures agree). Pure: the callers
// fetch committed offsets, assignments and log end offsets their own way (the CLI over the wire,
// the admin port from the broker) and pass them in.

export interface PartitionLag {
  topic: string;
  partition: number;
  /** −1 when the group committed nothing for it. */
  committedOffset: number;
  /** −1 when the partition no longer exists. */
  logEndOffset: number;
  /** null when either offset is unknown. */
  lag: number | null;
  memberId: string | null;
}

/** topic → partition → committed offset (−1: none). */
export type CommittedOffsets = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** `${topic}/${partition}`: the key of `owners` and `logEndOffsets`. */
export function lagKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** Log end offset minus committed offset, never negative; null when either is unknown (−1). */
export function lagOf(committedOffset: number, logEndOffset: number): number | null {
  return committedOffset >= 0 && logEndOffset >= 0 ? Math.max(0, logEndOffset - committedOffset) : null;
}

/** The partitions a group's lag covers: every one it committed for or a member is assigned. */
export function lagPartitions(committed: CommittedOffsets, owners: ReadonlyMap<string, string>): { topic: string; partition: number }[] {
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const [topic, partitions] of committed) for (const [partition, offset] of partitions) if (offset >= 0) keys.set(lagKey(topic, partition), { topic, partition });
  for (const key of owners.keys()) {
    const slash = key.lastIndexOf('/');
    keys.set(key, { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) });
  }
  return [...keys.values()];
}

/** Per partition committed offset, log end offset, lag and owner, sorted by topic then partition. */
export function partitionLags(
  partitions: readonly { topic: string; partition: number }[],
  committed: CommittedOffsets,
  logEndOffsets: ReadonlyMap<string, number>,
  owners: ReadonlyMap<string, string>,
): PartitionLag[] {
  return partitions
    .map(({ topic, partition }) => {
      const key = lagKey(topic, partition);
      const committedOffset = committed.get(topic)?.get(partition) ?? -1;
      const logEndOffset = logEndOffsets.get(key) ?? -1;
      return { topic, partition, committedOffset, logEndOffset, lag: lagOf(committedOffset, logEndOffset), memberId: owners.get(key) ?? null };
    })
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition);
}

/** Sum of the known lags. */
export function totalLag(partitions: readonly PartitionLag[]): number {
  return partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
}
