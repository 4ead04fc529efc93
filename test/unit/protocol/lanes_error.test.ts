// Errors as code written against KafkaJS reads them: `type` is Kafka's name, `retriable` says
// whether sending the same request again may succeed (Kafka's RetriableException family).
import { describe, expect, it } from 'vitest';
import { ErrorCode, LanesError } from '../../../core/errors.js';

describe('LanesError', () => {
  it("names its code as KafkaJS's type and tells retriable codes from the rest", () => {
    const moved = new LanesError(ErrorCode.NOT_COORDINATOR, 'the coordinator moved');
    expect(moved).toMatchObject({ errorCode: 16, type: 'NOT_COORDINATOR', retriable: true });
    for (const code of [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.UNSTABLE_OFFSET_COMMIT]) {
      expect(new LanesError(code, '').retriable, `code ${code}`).toBe(true);
    }
    for (const code of [ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.INVALID_CONFIG, ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.TOPIC_ALREADY_EXISTS]) {
      expect(new LanesError(code, '').retriable, `code ${code}`).toBe(false);
    }
  });
});
