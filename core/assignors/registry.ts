// Assignors by the protocol name members list in JoinGroup. The coordinator picks a name every
// member offers; the leader looks it up here. Names are Kafka's and librdkafka's, plus kafkajs's
// "RoundRobinAssigner" (its only built-in), which Lanes answers with Kafka's round-robin: kafkajs
// members just apply the assignment they are sent, whichever assignor the leader ran.

import { cooperativeStickyAssignor } from './cooperative_sticky.js';
import type { PartitionAssignor } from './assignor.js';
import { withAssignmentKernel, type KernelSource } from './kernel_choice.js';
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

/**
 * The assignor for a protocol name, or undefined for a name Lanes does not implement. With a
 * `kernel`, it runs large assignments through it (kernel_choice.ts); the result is the same.
 * wasm/assignors.ts passes the WASM kernel, and is what the embedded client calls.
 */
export function assignorFor(protocolName: string, kernel?: KernelSource): PartitionAssignor | undefined {
  const assignor = assignorsByName.get(protocolName);
  if (assignor === undefined || kernel === undefined) return assignor;
  return withAssignmentKernel(assignor, kernel);
}
