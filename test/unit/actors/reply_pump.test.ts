// The host's reply pump (actors/host/reply_pump.ts) with fake shards and a real doorbell: with
// nothing in flight it waits for a publish without parking on the doorbell; with requests in
// flight it polls, so a reply published meanwhile is drained with no notify; polls that keep
// missing rest (a count, never a duration); stop() ends it in every state.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ReplyPump, type ReplySource } from '../../../actors/host/reply_pump.js';
import { Doorbell } from '../../../actors/ring/doorbell.js';
import { SpinPolicy } from '../../../actors/ring/spin_policy.js';

/** A shard's host end: `published` replies waiting, `inFlight` requests unanswered. */
class FakeShard implements ReplySource {
  inFlight = 0;
  published = 0;
  drained = 0;
  hasReplies(): boolean {
    return this.published > 0;
  }
  drainReplies(): number {
    const count = this.published;
    this.published = 0;
    this.inFlight -= count;
    this.drained += count;
    return count;
  }
}

function setup(budgetUs: number, stepUs: number) {
  const shard = new FakeShard();
  const doorbell = new Doorbell(new SharedArrayBuffer(64), 0);
  const spin = new SpinPolicy({ budgetUs, missesToRest: 4, probeEveryParks: 16 });
  let clockUs = 0;
  const pump = new ReplyPump({ shards: [shard], doorbell, onHighWatermark: () => {}, spin, nowUs: () => (clockUs += stepUs) });
  /** What a shard does after its turn: publish, then ring (a notify only if the pump sleeps). */
  const shardPublishes = (replies: number) => {
    shard.published += replies;
    doorbell.ring();
  };
  return { shard, doorbell, spin, pump, shardPublishes };
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await nextMacrotask();
}

describe('ReplyPump', () => {
  it('with nothing in flight waits for a publish, not on the doorbell; then polls and drains a reply no notify announced', async () => {
    const { shard, doorbell, spin, pump, shardPublishes } = setup(200, 1);
    pump.start();
    await turns(3);
    doorbell.ring(); // a pump parked on the doorbell would be notified here
    expect(doorbell.notifies).toBe(0);
    shard.inFlight = 1;
    pump.requestsPublished();
    await turns(2);
    shardPublishes(1);
    while (shard.drained < 1) await nextMacrotask();
    expect(doorbell.notifies).toBe(0);
    expect(spin.hits).toBe(1);
    expect(spin.parks).toBe(0);
    await pump.stop();
  });

  it('requests in flight and no reply for long (a parked group call): polls rest after a few misses', async () => {
    const { shard, doorbell, spin, pump, shardPublishes } = setup(200, 1_000); // every poll's budget passes at its first look
    shard.inFlight = 1;
    pump.start();
    for (let wake = 0; wake < 160; wake++) {
      await turns(2);
      doorbell.ring(); // the tick that wakes a parked pump now and then
    }
    expect(spin.parks).toBeGreaterThan(0);
    expect(spin.hits).toBe(0);
    expect(spin.polls).toBeLessThanOrEqual(4 + Math.ceil(spin.parks / 16));
    shardPublishes(1); // the answer still arrives, through the doorbell
    while (shard.drained < 1) await nextMacrotask();
    await pump.stop();
  });

  it('a budget of 0 (inline shards) only ever parks on the doorbell', async () => {
    const { shard, doorbell, spin, pump, shardPublishes } = setup(0, 1);
    pump.start();
    await turns(3);
    shard.inFlight = 1;
    pump.requestsPublished();
    shardPublishes(1);
    expect(doorbell.notifies).toBe(1);
    while (shard.drained < 1) await nextMacrotask();
    expect(spin.polls).toBe(0);
    await pump.stop();
  });

  it('stop() ends a pump waiting for a publish, and one parked on the doorbell', async () => {
    const idle = setup(200, 1);
    idle.pump.start();
    await turns(3);
    await idle.pump.stop();
    const parked = setup(0, 1);
    parked.pump.start();
    await turns(3);
    await parked.pump.stop();
  });
});
