// How a transaction handler asks the transaction coordinator: the one place that answers a broker
// without one (COORDINATOR_NOT_AVAILABLE) and a call the broker could not take (an operating
// error, a request too large to reach the coordinator: INVALID_REQUEST) in the API's own failed
// shape, and that maps PRODUCER_FENCED for clients too old to know it.
import { ErrorCode } from '../errors.js';
import type { TxnFacade } from '../txn/txn_calls.js';
import { groupErrorCodeOf } from './errors.js';
import type { RequestContext } from './handler.js';

export async function askTxnCoordinator<Reply, Response>(
  ctx: RequestContext,
  failed: (errorCode: number) => NoInfer<Response>,
  ask: (txns: TxnFacade) => Promise<Reply>,
  answer: (reply: Reply) => NoInfer<Response>,
): Promise<Response> {
  const txns = ctx.txns ?? null;
  if (txns === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  let reply: Reply;
  try {
    reply = await ask(txns);
  } catch (error) {
    return failed(groupErrorCodeOf(error));
  }
  return answer(reply);
}

/**
 * PRODUCER_FENCED (90) arrived in each transaction API at some version; before it Kafka answers
 * INVALID_PRODUCER_EPOCH (47) so that older clients keep their handling.
 */
export function fencedFor(errorCode: number, apiVersion: number, fencedSince: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < fencedSince ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
