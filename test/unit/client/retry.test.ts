// KafkaJS's retry options: the waits they give (core/client/retry_schedule.ts, KafkaJS 2.2's
// formula: about initialRetryTime, then `multiplier` times the previous, ±factor, capped at
// maxRetryTime) and the producer honouring them: a batch refused with a retriable error is sent
// again up to `retries` times, a non-retriable refusal fails at once. Method: a stand-in
// BrokerPort whose produce fails as told; waits of 1 ms, no assertion on time.

import { describe, expect, it } from 'vitest';
import { nextRetryTime, retryDefaults, retryScheduleOf } from '../../../core/client/retry_schedule.js';
import { ErrorCode, LanesError } from '../../../core/errors.js';
import type { BrokerPort } from '../../../actors/client/broker_port.js';
import { ClientContext, Kafka } from '../../../actors/client/lanes.js';
import { logger } from '../../../actors/logger.js';
import type { RetryOptions } from '../../../actors/client/types.js';

describe('retry schedule', () => {
  it('has KafkaJS 2.2’s defaults and waits', () => {
    expect(retryDefaults).toEqual({ retries: 5, maxRetryTime: 30_000, initialRetryTime: 300, factor: 0.2, multiplier: 2 });
    const schedule = retryScheduleOf({ maxRetryTime: 2_000 });
    const middle = () => 0.5;
    const waits: number[] = [];
    let wait: number | null = null;
    for (let i = 0; i < 6; i++) waits.push((wait = nextRetryTime(schedule, wait, middle)));
    expect(waits).toEqual([300, 600, 1200, 2000, 2000, 2000]);
    // ±factor around each: the lowest and highest draws.
    expect(nextRetryTime(schedule, null, () => 0)).toBe(240);
    expect(nextRetryTime(schedule, null, () => 0.999_999)).toBe(360);
  });

  it('refuses options that make no schedule, naming them', () => {
    expect(() => retryScheduleOf({ retries: -1 })).toThrow(/retry.retries/);
    expect(() => retryScheduleOf({ factor: 1 })).toThrow(/retry.factor/);
    expect(() => retryScheduleOf({ initialRetryTime: Number.NaN })).toThrow(/retry.initialRetryTime/);
  });
});

/** A Kafka whose producers' port answers produce with `answers` in turn (then successes). */
function kafkaWith(answers: (LanesError | null)[], retry: { kafka?: RetryOptions; producer?: RetryOptions }) {
  const calls: number[] = [];
  const port = {
    partitionCount: async () => 1,
    ensureTopic: async () => 1,
    produce: async () => {
      calls.push(calls.length);
      const answer = answers.shift() ?? null;
      if (answer !== null) throw answer;
      return { baseOffset: calls.length - 1, logStartOffset: 0 };
    },
    close: async () => {},
  } as unknown as BrokerPort;
  const kafka = new Kafka(new ClientContext({ clientId: 'retry', openPort: () => port, clients: new Set(), logger, retry: retry.kafka }));
  return { producer: kafka.producer({ retry: retry.producer }), calls };
}

const notLeader = () => new LanesError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'the leader moved');

describe('producer retries', () => {
  it('sends a batch again after retriable refusals, and succeeds', async () => {
    const { producer, calls } = kafkaWith([notLeader(), notLeader()], { kafka: { initialRetryTime: 1 } });
    await producer.connect();
    const [metadata] = await producer.send({ topic: 't', messages: [{ value: 'v' }] });
    expect(calls.length).toBe(3);
    expect(metadata.baseOffset).toBe('2');
  });

  it('gives up after `retries` (the producer’s over the Kafka’s), throwing the broker’s error', async () => {
    const { producer, calls } = kafkaWith([notLeader(), notLeader(), notLeader()], { kafka: { initialRetryTime: 1, retries: 5 }, producer: { retries: 1 } });
    await producer.connect();
    await expect(producer.send({ topic: 't', messages: [{ value: 'v' }] })).rejects.toMatchObject({ type: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
    expect(calls.length).toBe(2);
  });

  it('does not retry a refusal that is not retriable', async () => {
    const { producer, calls } = kafkaWith([new LanesError(ErrorCode.MESSAGE_TOO_LARGE, 'too large')], { kafka: { initialRetryTime: 1 } });
    await producer.connect();
    await expect(producer.send({ topic: 't', messages: [{ value: 'v' }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE', retriable: false });
    expect(calls.length).toBe(1);
  });

  it('refuses retry options that make no schedule when the producer is made', () => {
    expect(() => kafkaWith([], { producer: { retries: 1.5 } })).toThrow(/retry.retries/);
  });
});
