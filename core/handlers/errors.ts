// How handlers turn a broker's operating error into a Kafka error code. Anything that is not a
// LanesError is a bug and propagates (the connection layer logs it and closes the connection).
import { boundedMessage, isLanesError } from '../errors.js';

export function errorCodeOf(error: unknown): number {
  if (isLanesError(error)) return error.errorCode;
  throw error;
}

export function errorMessageOf(error: unknown): string {
  return boundedMessage(error instanceof Error ? error.message : String(error));
}
