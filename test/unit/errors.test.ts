// Goal: an operating error (a LanesError: a client's bad input, answered with a Kafka code) costs
// no stack trace where nobody can read one (a shard thread, a malformed frame), while an embedded
// user's errors, causes and every programmer error keep theirs. Method: construct them.
import { describe, expect, it } from 'vitest';
import { captureLanesErrorStacks, ErrorCode, isLanesError, LanesError } from '../../core/errors.js';
import { InvariantError } from '../../core/assert.js';
import { ProtocolError } from '../../core/protocol/errors.js';

describe('LanesError', () => {
  it('records its stack by default: an embedded user sees where it was thrown', () => {
    const error = new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'topic "t" does not exist');
    expect(error.stack).toMatch(/^LanesError: UNKNOWN_TOPIC_OR_PARTITION: topic "t" does not exist\n\s+at /);
    expect(error.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(isLanesError(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
  });

  it('captures no stack frames on a thread that turned them off (a shard worker)', () => {
    captureLanesErrorStacks(false);
    try {
      const error = new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'topic "t" does not exist');
      expect(error.stack).toBe('LanesError: UNKNOWN_TOPIC_OR_PARTITION: topic "t" does not exist');
    } finally {
      captureLanesErrorStacks(true);
    }
  });

  it('a ProtocolError (malformed bytes off the wire) never captures one', () => {
    const error = new ProtocolError('string length -2 is negative');
    expect(error.stack).not.toMatch(/\n\s+at /);
    expect(error.stack).toMatch(/^ProtocolError: /);
  });

  it('leaves stack traces on for everything else: its cause, later errors, bugs', () => {
    const cause = new Error('disk');
    const error = new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, 'append failed', { cause });
    expect(error.cause).toBe(cause);
    expect(cause.stack).toMatch(/\n\s+at /);
    expect(new Error('after').stack).toMatch(/\n\s+at /);
    expect(new InvariantError('a bug').stack).toMatch(/\n\s+at /);
  });
});
