// Runs a call again while it fails retriably, waiting as core/client/retry_schedule.ts says
// (KafkaJS's retry options, real time and Math.random here). The last error is thrown as it came,
// so a caller still reads its Kafka `type`, `errorCode` and `retriable`.

import { setTimeout as sleep } from 'node:timers/promises';
import { nextRetryTime, retryScheduleOf, type RetrySchedule } from '../../core/client/retry_schedule.js';
import { isLanesError } from '../../core/errors.js';
import type { RetryOptions } from './types.js';

/** The schedule of a client: its own `retry` over its Kafka's, key by key (KafkaJS merges them so). */
export function clientRetrySchedule(kafkaRetry: RetryOptions | undefined, clientRetry: RetryOptions | undefined): RetrySchedule {
  const { restartOnFailure: _kafkaRestart, ...kafkaSchedule } = kafkaRetry ?? {};
  const { restartOnFailure: _clientRestart, ...clientSchedule } = clientRetry ?? {};
  return retryScheduleOf({ ...kafkaSchedule, ...clientSchedule });
}

/** An error the broker may answer differently if asked again (a LanesError whose code Kafka's clients retry). */
export function isRetriable(error: unknown): boolean {
  return isLanesError(error) && error.retriable;
}

/** `call`, retried after each retriable failure up to `schedule.retries` times. */
export async function withRetries<T>(schedule: RetrySchedule, call: () => Promise<T>): Promise<T> {
  let waitMs: number | null = null;
  for (let retry = 0; ; retry++) {
    try {
      return await call();
    } catch (error) {
      if (retry >= schedule.retries || !isRetriable(error)) throw error;
      waitMs = nextRetryTime(schedule, waitMs, Math.random);
      await sleep(waitMs);
    }
  }
}
