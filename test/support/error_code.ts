// What a user of the broker sees of a refusal: the Kafka error code of the LanesError thrown.
// Any other error is a bug, not an answer, so it is rethrown for the test to fail on.
import { isLanesError } from '../../core/errors.js';

/** The error code of the LanesError `fn` throws, or undefined when it returns. */
export function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (isLanesError(error)) return error.errorCode;
    throw error;
  }
  return undefined;
}

/** The error code of the LanesError `promise` rejects with, or undefined when it fulfils. */
export async function codeOfSettled(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isLanesError(error)) return error.errorCode;
    throw error;
  }
  return undefined;
}
