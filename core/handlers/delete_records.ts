// DeleteRecords: moves each named partition's log start offset forward (offset −1: to the high
// watermark) and answers the new low watermark. A single node has no replicas to wait for, so the
// request's timeout never comes into play. Errors per partition, as Kafka answers them:
// UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE beyond the high watermark or below −1,
// KAFKA_STORAGE_ERROR when the partition is offline; the low watermark is then −1.
//
// As Kafka does, the request is read as a map: a topic named twice is answered once, and a
// partition named twice once, with the last offset given. So the calls to partitions are at most
// the partitions that exist, however long the request.
import { ErrorCode } from '../errors.js';
import { deleteRecordsApi } from '../protocol/messages/delete_records.js';
import { errorCodeOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';

export const deleteRecords = defineHandler({
  api: deleteRecordsApi,
  async handle(ctx, request) {
    const offsets = new Map<string, Map<number, number>>();
    for (const topic of request.topics) {
      let partitions = offsets.get(topic.topicName);
      if (partitions === undefined) offsets.set(topic.topicName, (partitions = new Map()));
      for (const { partitionIndex, offset } of topic.partitions) partitions.set(partitionIndex, offset);
    }
    const topics = await Promise.all(
      [...offsets].map(async ([topicName, partitions]) => ({
        topicName,
        partitions: await Promise.all([...partitions].map(([partitionIndex, offset]) => deleteOne(ctx, topicName, partitionIndex, offset))),
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
