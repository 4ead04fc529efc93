// Polling a ring before parking (actors/ring/spin_policy.ts), and a shard loop that polls: the
// policy rests after a few fruitless polls (so an idle shard burns a bounded number of budgets,
// counted here, never a duration), comes back after a short park or on a probe, and a request
// published while the shard polls is served without its doorbell ever being rung.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { decodeCallBody, encodeCallBody } from '../../../actors/call_body.js';
import { dataViewOf, envelopeHeaderBytes, EnvelopeKind, writeEnvelopeHeader } from '../../../actors/envelope.js';
import { logger } from '../../../actors/logger.js';
import { Doorbell } from '../../../actors/ring/doorbell.js';
import { initRing, ringRegionBytes } from '../../../actors/ring/ring_layout.js';
import { pollUntil, SpinPolicy } from '../../../actors/ring/spin_policy.js';
import { RingReader, RingWriter } from '../../../actors/ring/spsc_ring.js';
import type { Actor, ReplySink } from '../../../actors/shard/actor.js';
import { ShardRuntime } from '../../../actors/shard/shard_runtime.js';
import { FakeClock } from '../../support/fake_clock.js';

const silent = logger.child({ test: 'spin_policy' });
silent.level = 'silent';

function policy(budgetUs = 100): SpinPolicy {
  return new SpinPolicy({ budgetUs, missesToRest: 4, probeEveryParks: 16 });
}

describe('SpinPolicy', () => {
  it('polls while polls find work and rests after missesToRest misses in a row', () => {
    const spin = policy();
    for (let i = 0; i < 10; i++) {
      expect(spin.shouldPoll).toBe(true);
      spin.polled(true);
    }
    for (let i = 0; i < 3; i++) spin.polled(false);
    expect(spin.shouldPoll).toBe(true);
    spin.polled(true); // a hit forgives the misses before it
    for (let i = 0; i < 4; i++) {
      expect(spin.shouldPoll).toBe(true);
      spin.polled(false);
    }
    expect(spin.shouldPoll).toBe(false);
  });

  it('a resting policy tries one poll after a park no longer than the budget, and rests again on its miss', () => {
    const spin = policy(100);
    for (let i = 0; i < 4; i++) spin.polled(false);
    spin.parked(5_000);
    expect(spin.shouldPoll).toBe(false);
    spin.parked(80);
    expect(spin.shouldPoll).toBe(true);
    spin.polled(false);
    expect(spin.shouldPoll).toBe(false);
  });

  it('at idle (long parks only) polls missesToRest times, then one probe every probeEveryParks parks', () => {
    const spin = policy(100);
    for (let park = 0; park < 1_600; park++) {
      if (spin.shouldPoll) spin.polled(false);
      spin.parked(100_000);
    }
    expect(spin.polls).toBe(4 + 1_600 / 16 - 1);
    expect(spin.hits).toBe(0);
    expect(spin.parks).toBe(1_600);
  });

  it('a budget of 0 never polls', () => {
    const spin = policy(0);
    expect(spin.shouldPoll).toBe(false);
    spin.parked(0);
    expect(spin.shouldPoll).toBe(false);
  });
});

describe('pollUntil', () => {
  it('answers true as soon as ready, without spending the budget', () => {
    let nowUs = 0;
    let calls = 0;
    const found = pollUntil(() => ++calls === 3, () => (nowUs += 1), 100);
    expect(found).toBe(true);
    expect(calls).toBe(3);
    expect(nowUs).toBeLessThan(10);
  });

  it('gives up once the budget has passed on its clock, after one last look', () => {
    let nowUs = 0;
    let calls = 0;
    const found = pollUntil(() => (calls++, false), () => (nowUs += 10), 100);
    expect(found).toBe(false);
    expect(calls).toBe(11);
  });
});

/** An actor answering every Call with its correlation id. */
class EchoActor implements Actor {
  readonly actorId = 7;
  constructor(private readonly sink: ReplySink) {}
  receive(envelope: Uint8Array, header: { correlationId: number }): void {
    const body = encodeCallBody({ ok: true, value: header.correlationId });
    this.sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.actorId, header.correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }
  endTurn(): void {}
  tick(): void {}
  async close(): Promise<void> {}
}

describe('a shard loop that polls', () => {
  const capacity = 64 * 1024;

  function harness(spin: SpinPolicy, nowUs: () => number) {
    const buffer = new SharedArrayBuffer(2 * ringRegionBytes(capacity) + 64);
    const requestRegion = { buffer, byteOffset: 0, capacity };
    const replyRegion = { buffer, byteOffset: ringRegionBytes(capacity), capacity };
    initRing(requestRegion);
    initRing(replyRegion);
    const doorbell = new Doorbell(buffer, 2 * ringRegionBytes(capacity));
    const runtime = new ShardRuntime({
      shardId: 0,
      requests: new RingReader(requestRegion),
      replies: new RingWriter(replyRegion),
      doorbell,
      clock: new FakeClock(),
      envelopesPerTurn: 64,
      tickIntervalMs: 60_000,
      logger: silent,
      spin,
      nowUs,
    });
    runtime.add(new EchoActor(runtime));
    const replies = new RingReader(replyRegion);
    const received: number[] = [];
    return {
      runtime,
      doorbell,
      /** The host's writer; the test rings the shard's doorbell itself, or not at all. */
      requests: new RingWriter(requestRegion),
      received,
      drain(): void {
        for (let view = replies.read(); view !== null; view = replies.read()) {
          received.push((decodeCallBody(view.slice(envelopeHeaderBytes)) as { value: number }).value);
        }
        replies.release();
      },
    };
  }

  function writeCall(writer: RingWriter, correlationId: number): void {
    const body = encodeCallBody({ method: 'echo', args: [] });
    const view = writer.reserve(envelopeHeaderBytes + body.length)!;
    writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.Call, 7, correlationId);
    view.set(body, envelopeHeaderBytes);
  }

  it('serves a request published during its poll with no doorbell rung for it', async () => {
    const spin = policy(100);
    let clockUs = 0;
    let publishAtReading = -1;
    let shard: ReturnType<typeof harness> | null = null;
    // The poll's clock stands in for time passing on another thread: at the chosen reading the
    // "host" publishes request 2 and rings nothing, as a peer that saw the shard awake would.
    const nowUs = () => {
      clockUs += 5;
      if (--publishAtReading === 0) {
        writeCall(shard!.requests, 2);
        shard!.requests.publish();
      }
      return clockUs;
    };
    shard = harness(spin, nowUs);
    const loop = shard.runtime.run(); // runs dry, polls, misses and parks
    await nextMacrotask();
    writeCall(shard.requests, 1);
    shard.requests.publish();
    // Readings after this wake: the park's end (1), the poll's start (2), its first look (3).
    publishAtReading = 3;
    shard.doorbell.ring();
    expect(shard.doorbell.notifies).toBe(1);
    while (shard.received.length < 2) {
      shard.drain();
      await nextMacrotask();
    }
    expect(shard.received).toEqual([1, 2]);
    expect(spin.hits).toBe(1);
    expect(shard.doorbell.notifies).toBe(1); // request 1's wake, and none for request 2
    await shard.runtime.stop(loop);
  });

  it('at idle, polls a bounded number of times however often it is woken', async () => {
    const spin = policy(100);
    let clockUs = 0;
    const shard = harness(spin, () => (clockUs += 1_000)); // every poll misses at once, every park looks long
    const loop = shard.runtime.run();
    for (let wake = 0; wake < 160; wake++) {
      shard.doorbell.ring();
      await nextMacrotask();
    }
    expect(spin.parks).toBeGreaterThan(0);
    expect(spin.hits).toBe(0);
    expect(spin.polls).toBeLessThanOrEqual(4 + Math.ceil(spin.parks / 16));
    await shard.runtime.stop(loop);
  });
});
