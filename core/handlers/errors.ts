// How handlers turn a broker's operating error into a Kafka error code. Anything that is not a
// LanesError is a bug and propagates (the connection layer logs it and closes the connection).
import { ErrorCode, isLanesError } from '../errors.js';

export function errorCodeOf(error: unknown): number {
  if (isLanesError(error)) return error.errorCode;
  throw error;
}

/**
 * The code a group API answers for a broker's operating error. A request too large to reach its
 * coordinator (MESSAGE_TOO_LARGE: it exceeds a ring record) is a request this broker cannot take:
 * `tooLargeCode`, by default INVALID_REQUEST, a code every group API's clients handle; others keep
 * their code. Anything that is not a LanesError is a bug and propagates.
 */
export function groupErrorCodeOf(error: unknown, tooLargeCode: number = ErrorCode.INVALID_REQUEST): number {
  const code = errorCodeOf(error);
  return code === ErrorCode.MESSAGE_TOO_LARGE ? tooLargeCode : code;
}

/**
 * The message an error answer carries: a LanesError's own, already cut to errorMessageCharsMax
 * when it was made (core/errors.ts). Anything else is a bug and propagates, as in errorCodeOf.
 */
export function errorMessageOf(error: unknown): string {
  if (isLanesError(error)) return error.message;
  throw error;
}
