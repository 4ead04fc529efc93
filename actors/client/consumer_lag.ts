// The consumer's lag (consumer.lag() and the LAG event): per owned partition the group's
// committed offset, the high watermark, and the difference, from one OffsetFetch and one
// ListOffsets per topic.

import type { BrokerPort } from './broker_port.js';
import { keyOf, type PartitionState } from './consumer_partitions.js';
import type { PartitionLag } from './types.js';

export async function partitionLags(port: BrokerPort, groupId: string, owned: readonly PartitionState[]): Promise<PartitionLag[]> {
  if (owned.length === 0) return [];
  const byTopic = new Map<string, number[]>();
  for (const state of owned) byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition]);
  const [fetched, ...offsets] = await Promise.all([
    port.offsetFetch({ groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }),
    ...[...byTopic.keys()].map((topic) => port.topicOffsets(topic)),
  ]);
  const ends = new Map<string, { logStartOffset: number; highWatermark: number }>();
  [...byTopic.keys()].forEach((topic, i) => {
    for (const partition of offsets[i] ?? []) ends.set(keyOf(topic, partition.partition), partition);
  });
  const committed = new Map<string, number>();
  for (const topic of fetched.topics) for (const partition of topic.partitions) committed.set(keyOf(topic.name, partition.partitionIndex), partition.committedOffset);
  const lags: PartitionLag[] = [];
  for (const state of owned) {
    const described = ends.get(keyOf(state.topic, state.partition));
    if (described === undefined) continue;
    const committedOffset = committed.get(keyOf(state.topic, state.partition)) ?? -1;
    const from = committedOffset >= 0 ? committedOffset : described.logStartOffset;
    lags.push({ topic: state.topic, partition: state.partition, committedOffset, highWatermark: described.highWatermark, lag: Math.max(0, described.highWatermark - from) });
  }
  return lags.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
