// Assignors by the protocol name members list in JoinGroup. The coordinator picks a name every
// member offers; the leader looks it up here. Names are Kafka's and librdkafka's, plus kafkajs's
// "RoundRobinAssigner" (its only built-in), which Lanes answers with Kafka's round-robin: kafkajs
// members just apply the assignment they are sent (kafka-protocol.md §3.4, pitfall 13).

import { cooperativeStickyAssignor } from './cooperative_sticky.js';
import type { PartitionAssignor } from './assignor.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './round_robin.js';
import { stickyAssignor } from './sticky.js';

export const kafkajsRoundRobinAssignor: PartitionAssignor = { ...roundRobinAssignor, name: 'RoundRobinAssigner' };

const assignorsByName: ReadonlyMap<string, PartitionAssignor> = new Map(
  [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor, kafkajsRoundRobinAssignor].map(
    (assignor) => [assignor.name, assignor],
  ),
);

/** Every protocol name Lanes can assign for. */
export const assignorNames: readonly string[] = [...assignorsByName.keys()];

/** The assignor for a protocol name, or undefined for a name Lanes does not implement. */
export function assignorFor(protocolName: string): PartitionAssignor | undefined {
  return assignorsByName.get(protocolName);
}
