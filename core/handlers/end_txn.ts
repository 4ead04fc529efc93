// EndTxn: commits or aborts the producer's transaction. Answered once the decision is durable
// and, unless writing them failed (then they are retried in the background), once the markers
// are written: a read_committed reader sees a committed transaction when commit() returns.
import { endTxnApi } from '../protocol/messages/end_txn.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

export const endTxn = defineHandler({
  api: endTxnApi,
  handle(ctx, request) {
    return askTxnCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode }),
      (txns) => txns.endTxn({ transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch, committed: request.committed }),
      (reply) => ({ throttleTimeMs: 0, errorCode: fencedFor(reply.errorCode, ctx.apiVersion, 2) }),
    );
  },
});
