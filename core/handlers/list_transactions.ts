// ListTransactions: every transactional id with its producer id and state, filtered by state,
// producer id and (v1) how long the transaction has been open. Filter states that are not
// transaction states are answered back in unknownStateFilters, as Kafka does.
import { ErrorCode } from '../errors.js';
import { listTransactionsApi } from '../protocol/messages/list_transactions.js';
import { askTxnCoordinator } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

export const listTransactions = defineHandler({
  api: listTransactionsApi,
  handle(ctx, request) {
    return askTxnCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
      (txns) => txns.listTransactions({ states: request.stateFilters, producerIds: request.producerIdFilters, durationMsMin: request.durationFilter }),
      (listed) => ({
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        unknownStateFilters: [...listed.unknownStates],
        transactionStates: listed.transactions.map((txn) => ({ transactionalId: txn.transactionalId, producerId: txn.producerId, transactionState: txn.state })),
      }),
    );
  },
});
