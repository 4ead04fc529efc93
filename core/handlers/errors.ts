// How handlers turn a broker's operating error into a Kafka error code. Anything that is not a
// LanesError is a bug and propagates (the connection layer logs it and closes the connection).
import { isLanesError } from '../errors.js';
import { errorMessageCharsMax } from '../limits.js';

export function errorCodeOf(error: unknown): number {
  if (isLanesError(error)) return error.errorCode;
  throw error;
}

export function errorMessageOf(error: unknown): string {
  return wireErrorMessage(error instanceof Error ? error.message : String(error));
}

/**
 * A message as it may travel in a response: cut to errorMessageCharsMax, since it may quote a
 * client's string (a 32,767-byte topic name) and must still fit a protocol string.
 */
export function wireErrorMessage(message: string): string {
  return message.length <= errorMessageCharsMax ? message : `${message.slice(0, errorMessageCharsMax - 1)}…`;
}
