// Kafka's legal topic names, checked before validate_only answers (the broker checks again).
import { ErrorCode, LanesError, quoted } from '../errors.js';

export function checkTopicNameLegal(name: string): void {
  if (name.length === 0 || name.length > 249 || name === '.' || name === '..' || !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new LanesError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic name ${quoted(name)} is not legal`);
  }
}
