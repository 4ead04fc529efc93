// The answer to a request whose real response could not be encoded (a bug: some value the
// handler put in it does not fit its field). Kafka answers such requests with the API's error
// response, every error code set to UNKNOWN_SERVER_ERROR; this builds the same from the response
// the handler returned: its shape is kept (so the client can still match topics and partitions),
// every `errorCode` becomes UNKNOWN_SERVER_ERROR and every error message is dropped (null), since
// a message is the usual thing that no longer fits.
import { ErrorCode } from '../errors.js';

/** A copy of `body` with every error code UNKNOWN_SERVER_ERROR and every error message null. */
export function failedResponse<Body>(body: Body): Body {
  return rewrite(body) as Body;
}

function rewrite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewrite);
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'errorCode') copy[key] = ErrorCode.UNKNOWN_SERVER_ERROR;
    else if (key === 'errorMessage' || key.endsWith('ErrorMessage')) copy[key] = null;
    else copy[key] = rewrite(field);
  }
  return copy;
}

/** Records, byte fields and views of log bytes are left as they are (and shared, not copied). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
