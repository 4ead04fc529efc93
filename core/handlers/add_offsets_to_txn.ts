// AddOffsetsToTxn: adds a group's offsets to the producer's transaction; TxnOffsetCommit then
// stages them, and the group sees them once the transaction commits.
import { addOffsetsToTxnApi } from '../protocol/messages/add_offsets_to_txn.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

export const addOffsetsToTxn = defineHandler({
  api: addOffsetsToTxnApi,
  handle(ctx, request) {
    return askTxnCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode }),
      (txns) => txns.addOffsetsToTxn({ transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch, groupId: request.groupId }),
      (reply) => ({ throttleTimeMs: 0, errorCode: fencedFor(reply.errorCode, ctx.apiVersion, 2) }),
    );
  },
});
