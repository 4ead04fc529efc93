// ListOffsets. Timestamp −1 asks for the latest offset: the high watermark, or in
// read_committed (isolation level 1) the last stable offset; −2 for the earliest (log start
// offset); −3 (v7+) for the first record with the largest timestamp, and that timestamp; −4 (v8+)
// for the earliest offset of the local log, which in a single-tier log is the log start offset;
// −5 (v9+) for the latest offset in tiered storage, of which a single-tier log has none (−1, as
// Kafka answers for a topic without tiered storage); anything else for the first offset whose
// batch has a timestamp at or after it (−1 when there is none). As in Kafka's broker, the
// timestamps mean the same at every version: the version only says which ones a client may send.
// A record found by timestamp (−3 or a timestamp) counts only below what the client may read, the
// last stable offset in read_committed, the high watermark otherwise: one at or past it is
// answered as none (−1), as Kafka does, so a read_committed client is never pointed into an open
// transaction.
import { ErrorCode } from '../errors.js';
import { listOffsetsApi } from '../protocol/messages/list_offsets.js';
import { errorCodeOf } from './errors.js';
import { defineHandler, type RequestContext, type TopicView } from './handler.js';
import { topicViews } from './topic_views.js';
import { AclOperation, mayOnTopic } from './authorize.js';

export const latestTimestamp = -1;
export const earliestTimestamp = -2;
export const maxTimestamp = -3;
export const earliestLocalTimestamp = -4;
export const latestTieredTimestamp = -5;

export const listOffsets = defineHandler({
  api: listOffsetsApi,
  async handle(ctx, request) {
    const describe = topicViews(ctx);
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        topicName: topic.topicName,
        partitions: await Promise.all(topic.partitions.map((partition) => lookUp(ctx, describe(topic.topicName), topic.topicName, partition.partitionIndex, partition.timestamp, request.isolationLevel === 1))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function lookUp(ctx: RequestContext, view: TopicView | undefined, topicName: string, partitionIndex: number, timestamp: number, readCommitted: boolean) {
  const answer = (errorCode: number, offset: number, found: number) => ({ partitionIndex, errorCode, timestamp: found, offset, leaderEpoch: offset === -1 ? -1 : 0 });
  if (!mayOnTopic(ctx, AclOperation.DESCRIBE, topicName)) return answer(ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1, -1);
  const partition = view?.partitions[partitionIndex];
  if (partition === undefined) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
  if (timestamp === latestTimestamp) return answer(ErrorCode.NONE, readCommitted ? partition.lastStableOffset : partition.highWatermark, -1);
  if (timestamp === earliestTimestamp || timestamp === earliestLocalTimestamp) return answer(ErrorCode.NONE, partition.logStartOffset, -1);
  if (timestamp === latestTieredTimestamp) return answer(ErrorCode.NONE, -1, -1);
  const readableEnd = readCommitted ? partition.lastStableOffset : partition.highWatermark;
  const readable = (offset: number) => offset >= 0 && offset < readableEnd;
  try {
    if (timestamp === maxTimestamp) {
      const found = await ctx.broker.maxTimestampRecord(topicName, partitionIndex);
      return found === null || !readable(found.offset) ? answer(ErrorCode.NONE, -1, -1) : answer(ErrorCode.NONE, found.offset, found.timestamp);
    }
    const offset = await ctx.broker.offsetForTimestamp(topicName, partitionIndex, timestamp);
    // The log does not return the found record's timestamp; the asked one is a lower bound.
    return readable(offset) ? answer(ErrorCode.NONE, offset, timestamp) : answer(ErrorCode.NONE, -1, -1);
  } catch (error) {
    return answer(errorCodeOf(error), -1, -1);
  }
}
