// The well-behaved client beside the fuzzer: the Lanes wire client producing numbered records
// (acks = all) to its own topic and consuming them in a group, checking that every record comes
// back byte for byte. Its names all start with `goodClientMarker`, which the fuzzer never sends
// (fuzz writes containing it are dropped), so the fuzzer cannot legitimately delete its topic or
// disturb its group: any failure here is the broker failing a good client.
import { Kafka } from '../../actors/host/index.js';
import type { Consumer } from '../../actors/client/consumer.js';
import type { Producer } from '../../actors/client/producer.js';

export const goodClientMarker = 'good-';
export const goodTopic = `${goodClientMarker}records`;
const goodPartitions = 3;

/** The value record `seq` carries: its number, a checksum and a seq-dependent length of filler. */
export function goodValue(seq: number): string {
  let hash = 0x811c9dc5;
  for (const char of String(seq)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${seq}:${hash.toString(16)}:${'abcdefghij'.repeat(seq % 37)}`;
}

export class GoodClient {
  /** Records the broker acknowledged (acks = all). */
  readonly acked = new Set<number>();
  /** Records read back intact (over every consumer of this client, restarts included). */
  readonly consumed = new Set<number>();
  readonly errors: string[] = [];
  /** Errors caused by a broker crash (already reported as such): not the client's failures. */
  readonly excused: string[] = [];
  readonly #errorTimes: number[] = [];
  #excusing = false;
  #next = 0;
  #kafka: Kafka | null = null;
  #producer: Producer | null = null;
  #consumer: Consumer | null = null;
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  static async createTopic(address: string): Promise<void> {
    const admin = new Kafka({ clientId: 'good-admin', brokers: [address] }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: goodTopic, numPartitions: goodPartitions }] });
    await admin.disconnect();
  }

  /** Starts producing and consuming against `address` (again after a broker restart). */
  async start(address: string, groupId = `${goodClientMarker}group`): Promise<void> {
    this.#excusing = false;
    this.#kafka = new Kafka({ clientId: 'good-client', brokers: [address] });
    this.#producer = this.#kafka.producer();
    await this.#producer.connect();
    this.#consumer = await this.#consume(groupId);
    this.#running = true;
    this.#loop = this.#produceLoop();
  }

  async #consume(groupId: string): Promise<Consumer> {
    const consumer = this.#kafka!.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
    consumer.on(consumer.events.CRASH, (event: { payload?: { error?: unknown } }) => {
      this.#error(`consumer crashed: ${String(event.payload?.error)}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [goodTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        const seq = Number(key.slice(goodClientMarker.length));
        const value = message.value?.toString() ?? '<null>';
        if (!key.startsWith(goodClientMarker) || !Number.isInteger(seq) || value !== goodValue(seq)) {
          this.#error(`record corrupted: key ${JSON.stringify(key.slice(0, 40))} value ${JSON.stringify(value.slice(0, 60))}`);
          return;
        }
        this.consumed.add(seq);
      },
    });
    return consumer;
  }

  async #produceLoop(): Promise<void> {
    while (this.#running) {
      const first = this.#next;
      const count = 5;
      this.#next += count;
      const messages = Array.from({ length: count }, (_, i) => ({ key: `${goodClientMarker}${first + i}`, value: goodValue(first + i) }));
      try {
        await this.#producer!.send({ topic: goodTopic, acks: -1, messages });
        for (let i = 0; i < count; i++) this.acked.add(first + i);
      } catch (error) {
        this.#error(`produce failed: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #error(message: string): void {
    if (!this.#running) return;
    if (this.#excusing) {
      this.excused.push(message);
      return;
    }
    this.errors.push(message);
    this.#errorTimes.push(performance.now());
  }

  /**
   * The broker process died (a crash the fuzzer reports): errors from `windowMs` before now on
   * (a connection reset arrives before the exit is noticed) are the crash's, not the client's.
   */
  excuseSince(windowMs: number): void {
    this.#excusing = true;
    const since = performance.now() - windowMs;
    while (this.#errorTimes.length > 0 && this.#errorTimes.at(-1)! >= since) {
      this.#errorTimes.pop();
      this.excused.push(this.errors.pop()!);
    }
  }

  /** Acked records not read back yet. */
  missing(): number[] {
    return [...this.acked].filter((seq) => !this.consumed.has(seq));
  }

  /** Waits until every acked record was read back, or `boundMs` passed; returns what is missing. */
  async caughtUp(boundMs: number): Promise<number[]> {
    const deadline = performance.now() + boundMs;
    while (this.missing().length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return this.missing();
  }

  /** Stops producing; `crashed`: the broker died, so failures from here on are not the client's. */
  async stop(crashed = false): Promise<void> {
    this.#running = false;
    await this.#loop;
    const closing = [this.#producer?.disconnect(), this.#consumer?.disconnect()];
    if (!crashed) await Promise.all(closing);
    else void Promise.allSettled(closing);
    this.#producer = null;
    this.#consumer = null;
  }

  /** After a restart: a fresh group reads the whole topic; every acked record must be there intact. */
  async verifyFromStart(address: string, boundMs: number): Promise<number[]> {
    this.consumed.clear();
    this.#kafka = new Kafka({ clientId: 'good-verify', brokers: [address] });
    this.#running = true;
    this.#consumer = await this.#consume(`${goodClientMarker}verify-${Date.now()}`);
    const missing = await this.caughtUp(boundMs);
    this.#running = false;
    await this.#consumer.disconnect();
    this.#consumer = null;
    return missing;
  }
}
