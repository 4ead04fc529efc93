// ListTransactions: every transactional id with its producer id and state, filtered by state,
// producer id, (v1) how long the transaction has been open and (v2) a pattern the whole id must
// match. Filter states that are not transaction states are answered back in unknownStateFilters,
// as Kafka does. The pattern is checked before the coordinator is asked: a malformed one is
// INVALID_REGULAR_EXPRESSION (Kafka's answer), one Lanes cannot match in linear time or within
// its bounds INVALID_REQUEST (the response has no message field: the reason is logged at warn).
import { ErrorCode } from '../errors.js';
import { txnIdPatternCharsMax, txnIdPatternProgramMax } from '../limits.js';
import { compileLinearRegex } from '../linear_regex.js';
import { listTransactionsApi } from '../protocol/messages/list_transactions.js';
import { askTxnCoordinator } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] });

export const listTransactions = defineHandler({
  api: listTransactionsApi,
  async handle(ctx, request) {
    const pattern = request.transactionalIdPattern;
    let matches: ((transactionalId: string) => boolean) | null = null;
    if (pattern !== null && pattern !== '') {
      const compiled = compileLinearRegex(pattern, { patternCharsMax: txnIdPatternCharsMax, programSizeMax: txnIdPatternProgramMax });
      if (!compiled.ok) {
        ctx.warn?.(`ListTransactions: transactional id pattern refused: ${compiled.reason}`);
        return failed(compiled.kind === 'syntax' ? ErrorCode.INVALID_REGULAR_EXPRESSION : ErrorCode.INVALID_REQUEST);
      }
      matches = compiled.matches;
    }
    return askTxnCoordinator(
      ctx,
      failed,
      (txns) => txns.listTransactions({ states: request.stateFilters, producerIds: request.producerIdFilters, durationMsMin: request.durationFilter }),
      (listed) => ({
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        unknownStateFilters: [...listed.unknownStates],
        transactionStates: listed.transactions
          .filter((txn) => matches === null || matches(txn.transactionalId))
          .map((txn) => ({ transactionalId: txn.transactionalId, producerId: txn.producerId, transactionState: txn.state })),
      }),
    );
  },
});
