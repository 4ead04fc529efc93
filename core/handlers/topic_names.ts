// Kafka's rules for topic names, checked before validate_only answers and before auto-creation
// (the broker's catalogue checks again, for embedded callers).
import { ErrorCode, LanesError, quoted } from '../errors.js';

/** Kafka's rule for topic names, as a user reads it when a name breaks it. */
export const topicNameRule = 'a topic name has 1 to 249 characters, each a letter (a-z, A-Z), a digit, ".", "_" or "-", and is not "." or ".."';

/** Which part of Kafka's rule `name` breaks ([a-zA-Z0-9._-], 1..249 characters, not "." or ".."), or null. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > 249) return `it has ${name.length} characters`;
  if (name === '.' || name === '..') return 'it is "." or ".."';
  const illegal = /[^a-zA-Z0-9._-]/u.exec(name);
  return illegal === null ? null : `${JSON.stringify(illegal[0])} is not allowed`;
}

export function checkTopicNameLegal(name: string): void {
  if (topicNameProblem(name) !== null) {
    throw new LanesError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic name ${quoted(name)} is not legal`);
  }
}

/**
 * A name a new topic may take: legal, and not starting with "__", which Kafka keeps for its
 * internal topics (__consumer_offsets, __transaction_state); Lanes keeps it for its own.
 */
export function checkNewTopicName(name: string): void {
  checkTopicNameLegal(name);
  if (name.startsWith('__')) {
    throw new LanesError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic name ${quoted(name)} is reserved: names starting with "__" are for internal topics`);
  }
}
