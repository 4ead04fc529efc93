// After a restart on disk: finds the partitions whose log ends below an offset a consumer group
// already committed, and warns about each. That happens only after a power loss or OS crash took
// records that were written but not yet fsynced (acks 0/1, or a flush policy other than
// 'always'), while the group's commit had been fsynced: the log recovered to a shorter end, and
// the next records appended will reuse offsets the group believes it consumed.
//
// Kafka does the same thing on an unclean restart without replicas: it truncates the log to what
// it recovered and appends from there; the group's fetch from its committed offset answers
// OFFSET_OUT_OF_RANGE and the consumer resets by its auto.offset.reset. Lanes keeps that
// behaviour and makes it visible: one warning per partition, naming the groups and the offsets.
import type { Logger } from '../logger.js';
import type { Broker } from './broker.js';

export interface CommittedPastLogEnd {
  groupId: string;
  topic: string;
  partition: number;
  committedOffset: number;
  logEndOffset: number;
}

/** Every (group, partition) whose committed offset lies past the partition's log end. */
export async function committedPastLogEnd(broker: Broker): Promise<CommittedPastLogEnd[]> {
  const ends = new Map<string, number>();
  for (const topic of broker.listTopics()) for (const p of topic.partitions) ends.set(`${topic.name}/${p.partition}`, p.highWatermark);
  const found: CommittedPastLogEnd[] = [];
  for (const group of await broker.listGroups()) {
    const fetched = await broker.offsetFetch({ groupId: group.groupId, topics: null });
    for (const topic of fetched.topics) {
      for (const p of topic.partitions) {
        const logEndOffset = ends.get(`${topic.name}/${p.partitionIndex}`);
        if (logEndOffset !== undefined && p.committedOffset > logEndOffset) {
          found.push({ groupId: group.groupId, topic: topic.name, partition: p.partitionIndex, committedOffset: p.committedOffset, logEndOffset });
        }
      }
    }
  }
  return found;
}

export async function warnCommittedPastLogEnd(broker: Broker, logger: Logger): Promise<void> {
  for (const gap of await committedPastLogEnd(broker)) {
    logger.warn(
      gap,
      `log recovery: ${gap.topic}-${gap.partition} ends at offset ${gap.logEndOffset} but group ${gap.groupId} committed ${gap.committedOffset}: ` +
        'records acknowledged before an OS crash or power loss were not yet fsynced and are gone; new records will reuse those offsets ' +
        "(as Kafka does); use acks=-1 with flush 'always' for records that must survive a power loss",
    );
  }
}
