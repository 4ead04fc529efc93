// DescribeTransactions: each transactional id's state, producer, timeout, start and partitions
// (TRANSACTIONAL_ID_NOT_FOUND for an id the coordinator does not know).
import { ErrorCode } from '../errors.js';
import { describeTransactionsApi } from '../protocol/messages/describe_transactions.js';
import { askTxnCoordinator } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

export const describeTransactions = defineHandler({
  api: describeTransactionsApi,
  handle(ctx, request) {
    const failedState = (transactionalId: string, errorCode: number) => ({
      errorCode,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1,
      producerId: -1,
      producerEpoch: -1,
      topics: [],
    });
    return askTxnCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, transactionStates: request.transactionalIds.map((id) => failedState(id, errorCode)) }),
      (txns) => txns.describeTransactions(request.transactionalIds),
      (described) => ({
        throttleTimeMs: 0,
        transactionStates: described.map((txn) =>
          txn.errorCode !== ErrorCode.NONE
            ? failedState(txn.transactionalId, txn.errorCode)
            : {
                errorCode: ErrorCode.NONE,
                transactionalId: txn.transactionalId,
                transactionState: txn.state,
                transactionTimeoutMs: txn.timeoutMs,
                transactionStartTimeMs: txn.startMs,
                producerId: txn.producerId,
                producerEpoch: txn.producerEpoch,
                topics: txn.topics.map((topic) => ({ topicName: topic.topic, partitionIndexes: [...topic.partitions] })),
              },
        ),
      }),
    );
  },
});
