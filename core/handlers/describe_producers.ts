// DescribeProducers: per partition, the idempotent producers its log remembers (the state that
// detects duplicates and sequence gaps). Lanes has no transactions, so every producer's
// coordinator epoch is −1 and it has no open transaction (currentTxnStartOffset −1).
import { ErrorCode } from '../errors.js';
import { describeProducersApi } from '../protocol/messages/describe_producers.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';

export const describeProducers = defineHandler({
  api: describeProducersApi,
  async handle(ctx, request) {
    // A partition named many times is asked once: the calls are at most the partitions that exist.
    const asked = new Map<string, ReturnType<typeof describeOne>>();
    const describe = (topicName: string, partitionIndex: number) => {
      const key = `${partitionIndex}:${topicName}`;
      let answer = asked.get(key);
      if (answer === undefined) asked.set(key, (answer = describeOne(ctx, topicName, partitionIndex)));
      return answer;
    };
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        topicName: topic.topicName,
        partitions: await Promise.all(topic.partitionIndexes.map((partitionIndex) => describe(topic.topicName, partitionIndex))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function describeOne(ctx: RequestContext, topicName: string, partitionIndex: number) {
  if (ctx.broker.describeTopic(topicName)?.partitions[partitionIndex] === undefined) {
    return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
  }
  try {
    const producers = await ctx.broker.activeProducers(topicName, partitionIndex);
    return {
      partitionIndex,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      activeProducers: producers.map((producer) => ({ ...producer, coordinatorEpoch: -1, currentTxnStartOffset: -1 })),
    };
  } catch (error) {
    return { partitionIndex, errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error), activeProducers: [] };
  }
}
