// EndTxn: commits or aborts the producer's transaction. Answered once the decision is durable
// and, unless writing them failed (then they are retried in the background), once the markers
// are written: a read_committed reader sees a committed transaction when commit() returns.
// v5 is transaction version 2: the coordinator bumps the epoch with the decision and the answer
// names the producer id and epoch the producer goes on with (−1, −1 with an error).
import { ErrorCode } from '../errors.js';
import { endTxnApi } from '../protocol/messages/end_txn.js';
import { endTxnVersion2FromVersion } from '../txn/transaction_version.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

export const endTxn = defineHandler({
  api: endTxnApi,
  handle(ctx, request) {
    return askTxnCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
      (txns) =>
        txns.endTxn({
          transactionalId: request.transactionalId,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          committed: request.committed,
          transactionVersion2: ctx.apiVersion >= endTxnVersion2FromVersion,
        }),
      (reply) => {
        const errorCode = fencedFor(reply.errorCode, ctx.apiVersion, 2);
        return errorCode === ErrorCode.NONE
          ? { throttleTimeMs: 0, errorCode, producerId: reply.producerId, producerEpoch: reply.producerEpoch }
          : { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
      },
    );
  },
});
