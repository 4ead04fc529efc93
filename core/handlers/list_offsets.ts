// ListOffsets. Timestamp −1 asks for the latest offset: the high watermark, or in
// read_committed (isolation level 1) the last stable offset; −2 for the earliest (log start
// offset); anything else for the first offset whose batch has a timestamp at or after it (−1 when
// there is none).
import { ErrorCode } from '../errors.js';
import { listOffsetsApi } from '../protocol/messages/list_offsets.js';
import { errorCodeOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';

export const latestTimestamp = -1;
export const earliestTimestamp = -2;

export const listOffsets = defineHandler({
  api: listOffsetsApi,
  async handle(ctx, request) {
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        topicName: topic.topicName,
        partitions: await Promise.all(topic.partitions.map((partition) => lookUp(ctx, topic.topicName, partition.partitionIndex, partition.timestamp, request.isolationLevel === 1))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function lookUp(ctx: RequestContext, topicName: string, partitionIndex: number, timestamp: number, readCommitted: boolean) {
  const answer = (errorCode: number, offset: number, found: number) => ({ partitionIndex, errorCode, timestamp: found, offset, leaderEpoch: offset === -1 ? -1 : 0 });
  const partition = ctx.broker.describeTopic(topicName)?.partitions[partitionIndex];
  if (partition === undefined) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
  if (timestamp === latestTimestamp) return answer(ErrorCode.NONE, readCommitted ? partition.lastStableOffset : partition.highWatermark, -1);
  if (timestamp === earliestTimestamp) return answer(ErrorCode.NONE, partition.logStartOffset, -1);
  try {
    const offset = await ctx.broker.offsetForTimestamp(topicName, partitionIndex, timestamp);
    // The log does not return the found record's timestamp; the asked one is a lower bound.
    return answer(ErrorCode.NONE, offset, offset === -1 ? -1 : timestamp);
  } catch (error) {
    return answer(errorCodeOf(error), -1, -1);
  }
}
