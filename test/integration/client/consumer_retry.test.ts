// Goal: a consumer whose handler throws behaves as KafkaJS's with the same `retry` options: the
// record comes again on the retry schedule, up to `retries` times without CRASH; then CRASH, and
// `restartOnFailure` decides between delivering it again and stopping; a bug (TypeError) stops
// the consumer at once. Method: real shard threads in-process; waits on events and counts, with
// 5 ms retry waits so a run takes no time to speak of (nothing asserts a duration).
import { describe, expect, it } from 'vitest';
import { fastGroup, startLanes, until } from './support.js';

async function consumerOf(options: { groupId: string; retry?: Record<string, unknown>; kafkaRetry?: Record<string, unknown> }, handler: (attempt: number) => void) {
  const lanes = await startLanes();
  const kafka = lanes.kafka({ retry: options.kafkaRetry });
  await kafka.admin().createTopics({ topics: [{ topic: options.groupId, numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: options.groupId, messages: [{ value: 'only' }] });
  const consumer = kafka.consumer({ groupId: options.groupId, ...fastGroup, retry: options.retry });
  const crashes: { restart: boolean; error: unknown }[] = [];
  let stopped = false;
  consumer.on<{ restart: boolean; error: unknown }>(consumer.events.CRASH, (event) => void crashes.push(event.payload));
  consumer.on(consumer.events.STOP, () => void (stopped = true));
  await consumer.connect();
  await consumer.subscribe({ topics: [options.groupId], fromBeginning: true });
  let attempts = 0;
  let handled = false;
  await consumer.run({
    eachMessage: async () => {
      attempts++;
      handler(attempts);
      handled = true;
    },
  });
  return { consumer, crashes, attempts: () => attempts, handled: () => handled, stopped: () => stopped };
}

describe('consumer retries (KafkaJS retry options)', () => {
  it('delivers a failing record again on the schedule, without CRASH while retries last', async () => {
    const run = await consumerOf({ groupId: 'retry-ok', kafkaRetry: { initialRetryTime: 5, retries: 3 } }, (attempt) => {
      if (attempt <= 3) throw new Error(`attempt ${attempt} fails`);
    });
    await until('the fourth attempt handled it', run.handled);
    expect(run.attempts()).toBe(4);
    expect(run.crashes).toEqual([]);
    await run.consumer.disconnect();
  });

  it('past `retries`, CRASH asks restartOnFailure; false stops the consumer', async () => {
    const asked: string[] = [];
    const run = await consumerOf(
      { groupId: 'retry-stop', kafkaRetry: { initialRetryTime: 5, retries: 5 }, retry: { retries: 2, restartOnFailure: async (error: Error) => (asked.push(error.message), false) } },
      () => {
        throw new Error('always');
      },
    );
    await until('the consumer stopped', run.stopped);
    expect(run.attempts()).toBe(3);
    expect(asked).toEqual(['always']);
    expect(run.crashes).toEqual([{ groupId: 'retry-stop', restart: false, error: expect.objectContaining({ message: 'always' }) }]);
    await run.consumer.disconnect();
  });

  it('restartOnFailure true delivers the record again, the schedule starting over', async () => {
    let restarts = 0;
    const run = await consumerOf({ groupId: 'retry-restart', retry: { initialRetryTime: 5, retries: 1, restartOnFailure: async () => (restarts++, true) } }, (attempt) => {
      if (attempt <= 4) throw new Error(`attempt ${attempt} fails`);
    });
    await until('the fifth attempt handled it', run.handled);
    // Attempts 1-2 fail (1 retry), CRASH restart; 3-4 fail, CRASH restart; 5 succeeds.
    expect(run.attempts()).toBe(5);
    expect(restarts).toBe(2);
    expect(run.crashes.map(({ restart }) => restart)).toEqual([true, true]);
    expect(run.stopped()).toBe(false);
    await run.consumer.disconnect();
  });

  it('a TypeError in the handler stops the consumer at once, as KafkaJS', async () => {
    let asked = false;
    const run = await consumerOf({ groupId: 'retry-bug', retry: { initialRetryTime: 5, restartOnFailure: async () => (asked = true) } }, () => {
      throw new TypeError('a bug');
    });
    await until('the consumer stopped', run.stopped);
    expect(run.attempts()).toBe(1);
    expect(asked).toBe(false);
    expect(run.crashes).toEqual([{ groupId: 'retry-bug', restart: false, error: expect.objectContaining({ name: 'TypeError' }) }]);
    await run.consumer.disconnect();
  });
});
