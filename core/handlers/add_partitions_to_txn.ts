// AddPartitionsToTxn: adds partitions to the producer's transaction (it becomes Ongoing). As
// Kafka: partitions of unknown topics answer UNKNOWN_TOPIC_OR_PARTITION and the others
// OPERATION_NOT_ATTEMPTED (nothing is added); otherwise every partition carries the coordinator's
// one answer.
import { ErrorCode } from '../errors.js';
import { addPartitionsToTxnApi, type AddPartitionsToTxnRequest } from '../protocol/messages/add_partitions_to_txn.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';
import { topicViews } from './topic_views.js';

function everyPartition(request: AddPartitionsToTxnRequest, codeOf: (topic: string, partition: number) => number) {
  return {
    throttleTimeMs: 0,
    results: request.topics.map((topic) => ({
      topicName: topic.topicName,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition, errorCode: codeOf(topic.topicName, partition) })),
    })),
  };
}

export const addPartitionsToTxn = defineHandler({
  api: addPartitionsToTxnApi,
  async handle(ctx, request) {
    const describe = topicViews(ctx);
    const known = (topic: string, partition: number) => {
      const view = describe(topic);
      return view !== undefined && partition >= 0 && partition < view.partitions.length;
    };
    if (request.topics.some((topic) => topic.partitions.some((partition) => !known(topic.topicName, partition)))) {
      return everyPartition(request, (topic, partition) => (known(topic, partition) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
    return askTxnCoordinator(
      ctx,
      (errorCode) => everyPartition(request, () => errorCode),
      (txns) =>
        txns.addPartitionsToTxn({
          transactionalId: request.transactionalId,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          partitions: request.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.topicName, partition }))),
        }),
      (reply) => everyPartition(request, () => fencedFor(reply.errorCode, ctx.apiVersion, 2)),
    );
  },
});
