// Kafka's rules for topic names, checked before validate_only answers and before auto-creation
// (the broker's catalogue checks again, for embedded callers).
import { ErrorCode, LanesError, quoted } from '../errors.js';

/** Kafka's legal topic names: [a-zA-Z0-9._-], 1..249 characters, not "." or "..". */
export function checkTopicNameLegal(name: string): void {
  if (name.length === 0 || name.length > 249 || name === '.' || name === '..' || !/^[a-zA-Z0-9._-]+$/.test(name)) {
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
