// How a group handler asks the group coordinator: the one place that answers a broker without
// one (COORDINATOR_NOT_AVAILABLE) and a call the broker could not take (an operating error) in
// the API's own failed shape, so each handler states only its call, its answer and that shape.
import { ErrorCode } from '../errors.js';
import { groupErrorCodeOf } from './errors.js';
import type { GroupFacade, RequestContext } from './handler.js';

/**
 * `failed(code)` without a coordinator or when `ask` throws an operating error (mapped by
 * groupErrorCodeOf, a request too large to reach the coordinator answering `tooLargeCode`);
 * otherwise `answer` of the coordinator's reply. Anything that is not a LanesError propagates.
 */
export async function askCoordinator<Reply, Response>(
  ctx: RequestContext,
  failed: (errorCode: number) => NoInfer<Response>,
  ask: (groups: GroupFacade) => Promise<Reply>,
  answer: (reply: Reply) => NoInfer<Response>,
  tooLargeCode: number = ErrorCode.INVALID_REQUEST,
): Promise<Response> {
  if (ctx.groups === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  let reply: Reply;
  try {
    reply = await ask(ctx.groups);
  } catch (error) {
    return failed(groupErrorCodeOf(error, tooLargeCode));
  }
  return answer(reply);
}
