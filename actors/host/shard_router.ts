// Placement: which shard owns a partition, and which owns a group. Pure functions of the ids and
// the shard count, so every thread (and a restarted broker) computes the same answer.

/** 32-bit FNV-1a over the UTF-16 code units of `text`: cheap, stable, well spread for short ids. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Partitions of one topic go round-robin over the shards, starting at a shard picked by the
 * topic's hash: a topic with as many partitions as shards uses every core, and many small topics
 * still spread out.
 */
export function shardForPartition(topic: string, partition: number, shardCount: number): number {
  return (fnv1a(topic) + partition) % shardCount;
}

export function shardForGroup(groupId: string, shardCount: number): number {
  return fnv1a(groupId) % shardCount;
}

/** A transactional id's coordinator lives where a group of the same id would (Kafka hashes both alike). */
export function shardForTransactionalId(transactionalId: string, shardCount: number): number {
  return fnv1a(transactionalId) % shardCount;
}
