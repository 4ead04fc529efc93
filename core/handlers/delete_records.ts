// DeleteRecords: moves each named partition's log start offset forward (offset −1: to the high
// watermark) and answers the new low watermark. A single node has no replicas to wait for, so the
// request's timeout never comes into play. Errors per partition, as Kafka answers them:
// UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE beyond the high watermark or below −1,
// KAFKA_STORAGE_ERROR when the partition is offline; the low watermark is then −1.
import { ErrorCode } from '../errors.js';
import { deleteRecordsApi } from '../protocol/messages/delete_records.js';
import { errorCodeOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';

export const deleteRecords = defineHandler({
  api: deleteRecordsApi,
  async handle(ctx, request) {
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        topicName: topic.topicName,
        partitions: await Promise.all(topic.partitions.map((partition) => deleteOne(ctx, topic.topicName, partition.partitionIndex, partition.offset))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function deleteOne(ctx: RequestContext, topicName: string, partitionIndex: number, offset: number) {
  if (ctx.broker.describeTopic(topicName)?.partitions[partitionIndex] === undefined) {
    return { partitionIndex, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  }
  try {
    const lowWatermark = await ctx.broker.deleteRecords(topicName, partitionIndex, offset);
    return { partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
  } catch (error) {
    return { partitionIndex, lowWatermark: -1, errorCode: errorCodeOf(error) };
  }
}
