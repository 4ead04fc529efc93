// AddPartitionsToTxn: adds partitions to the producer's transaction (it becomes Ongoing). As
// Kafka: partitions of unknown topics answer UNKNOWN_TOPIC_OR_PARTITION and the others
// OPERATION_NOT_ATTEMPTED (nothing is added); otherwise every partition carries the coordinator's
// one answer.
//
// v4+ is the form a broker sends the coordinator (several transactions per request); it needs
// CLUSTER_ACTION (else the top-level CLUSTER_AUTHORIZATION_FAILED), and each transaction is
// answered on its own: added as above, or with VerifyOnly checked, as Kafka's
// handleVerifyPartitionsInTransaction does: an id the coordinator does not have or another producer
// id INVALID_PRODUCER_ID_MAPPING, another epoch PRODUCER_FENCED, a decision being written
// CONCURRENT_TRANSACTIONS, else each partition NONE if the ongoing transaction has it and
// INVALID_TXN_STATE if not.
import { ErrorCode } from '../errors.js';
import {
  addPartitionsToTxnApi,
  addPartitionsToTxnBatchedFromVersion,
  type AddPartitionsToTxnTopic,
  type AddPartitionsToTxnTopicResult,
} from '../protocol/messages/add_partitions_to_txn.js';
import type { TxnProducer } from '../txn/txn_api.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { AclOperation, mayOnCluster } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';
import { topicViews } from './topic_views.js';

interface TxnPartitions extends TxnProducer {
  readonly topics: readonly AddPartitionsToTxnTopic[];
}

function everyPartition(topics: readonly AddPartitionsToTxnTopic[], codeOf: (topic: string, partition: number) => number): AddPartitionsToTxnTopicResult[] {
  return topics.map((topic) => ({
    topicName: topic.topicName,
    partitions: topic.partitions.map((partition) => ({ partitionIndex: partition, errorCode: codeOf(topic.topicName, partition) })),
  }));
}

/** Adds one transaction's partitions (or, `verifyOnly`, checks they are in it): an answer per partition. */
async function addOrVerify(ctx: RequestContext, txn: TxnPartitions, verifyOnly: boolean): Promise<AddPartitionsToTxnTopicResult[]> {
  const describe = topicViews(ctx);
  const known = (topic: string, partition: number) => {
    const view = describe(topic);
    return view !== undefined && partition >= 0 && partition < view.partitions.length;
  };
  if (txn.topics.some((topic) => topic.partitions.some((partition) => !known(topic.topicName, partition)))) {
    return everyPartition(txn.topics, (topic, partition) => (known(topic, partition) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  }
  const producer = { transactionalId: txn.transactionalId, producerId: txn.producerId, producerEpoch: txn.producerEpoch };
  if (verifyOnly) {
    return askTxnCoordinator(
      ctx,
      (errorCode) => everyPartition(txn.topics, () => errorCode),
      (txns) => txns.describeTransactions([txn.transactionalId]),
      ([described]) => {
        if (described === undefined || described.errorCode !== ErrorCode.NONE || described.producerId !== txn.producerId) return everyPartition(txn.topics, () => ErrorCode.INVALID_PRODUCER_ID_MAPPING);
        if (described.producerEpoch !== txn.producerEpoch) return everyPartition(txn.topics, () => ErrorCode.PRODUCER_FENCED);
        if (described.state === 'PrepareCommit' || described.state === 'PrepareAbort' || described.state === 'PrepareEpochFence') return everyPartition(txn.topics, () => ErrorCode.CONCURRENT_TRANSACTIONS);
        const inTxn = new Set(described.state === 'Ongoing' ? described.topics.flatMap((topic) => topic.partitions.map((partition) => `${partition}\u0000${topic.topic}`)) : []);
        return everyPartition(txn.topics, (topic, partition) => (inTxn.has(`${partition}\u0000${topic}`) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE));
      },
    );
  }
  return askTxnCoordinator(
    ctx,
    (errorCode) => everyPartition(txn.topics, () => errorCode),
    (txns) => txns.addPartitionsToTxn({ ...producer, partitions: txn.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.topicName, partition }))) }),
    (reply) => everyPartition(txn.topics, () => fencedFor(reply.errorCode, ctx.apiVersion, 2)),
  );
}

export const addPartitionsToTxn = defineHandler({
  api: addPartitionsToTxnApi,
  async handle(ctx, request) {
    if (ctx.apiVersion < addPartitionsToTxnBatchedFromVersion) {
      const results = await addOrVerify(ctx, request, false);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], results };
    }
    if (!mayOnCluster(ctx, AclOperation.CLUSTER_ACTION)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [], results: [] };
    }
    // Transactions are answered one after another: two naming one id see each other's adds.
    const resultsByTransaction = [];
    for (const txn of request.transactions) resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults: await addOrVerify(ctx, txn, txn.verifyOnly) });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, results: [] };
  },
});
