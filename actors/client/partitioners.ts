// KafkaJS's `Partitioners` and its `createPartitioner` producer option: a factory whose result is
// asked, message by message, for the partition. Lanes' producer uses core/client's Partitioner
// unless `createPartitioner` is given (Java's choice: murmur2 for keys, sticky without); these are
// for code that passes KafkaJS's:
//
//   DefaultPartitioner   KafkaJS 2.x's default: murmur2 as the Java client computes it (the same
//                        partition as Java, librdkafka's murmur2_random and Lanes' default for a
//                        key), round-robin over partitions with a leader for keyless messages
//   LegacyPartitioner    KafkaJS 1.x's default: the same rules over KafkaJS's old floating-point
//                        murmur2, so keys keep the partitions a KafkaJS 1.x producer gave them
//   JavaCompatiblePartitioner  KafkaJS's deprecated name for DefaultPartitioner

import { keyBytes, legacyKafkaJsMurmur2, Partitioner, toPositive } from '../../core/client/partitioner.js';
import type { Message, PartitionMetadata } from './types.js';

/** What a partitioner is asked (KafkaJS's PartitionerArgs). */
export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: Message;
}

/** KafkaJS's ICustomPartitioner: called once per producer; its result once per message. */
export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

const randomUint32 = () => (Math.random() * 0x1_0000_0000) >>> 0;

function availableOf(partitionMetadata: readonly PartitionMetadata[]): number[] {
  return partitionMetadata.filter((partition) => partition.leader >= 0).map((partition) => partition.partitionId);
}

const DefaultPartitioner: ICustomPartitioner = () => {
  const partitioner = new Partitioner({ nullKeyStrategy: 'round-robin', randomUint32 });
  return ({ topic, partitionMetadata, message }) =>
    partitioner.partition({ topic, partitionCount: partitionMetadata.length, key: message.key, partition: message.partition, availablePartitions: availableOf(partitionMetadata) });
};

const LegacyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return toPositive(legacyKafkaJsMurmur2(keyBytes(message.key))) % partitionMetadata.length;
    // Round-robin from a random start per topic, over partitions with a leader when there are any.
    const counter = ((counters.get(topic) ?? randomUint32()) + 1) >>> 0;
    counters.set(topic, counter);
    const available = availableOf(partitionMetadata);
    return available.length > 0 ? available[toPositive(counter) % available.length] : toPositive(counter) % partitionMetadata.length;
  };
};

/** KafkaJS's Partitioners. */
export const Partitioners = {
  DefaultPartitioner,
  LegacyPartitioner,
  /** @deprecated KafkaJS's old name for DefaultPartitioner. */
  JavaCompatiblePartitioner: DefaultPartitioner,
} as const;
