// One request can never take a shard down. A ShardRuntime on real rings (one thread: the test is
// the host) with fake actors and a real GroupActor: an actor that throws something other than a
// LanesError gets that request answered with an error code, is taken offline unless it says its
// state is intact, and every other actor on the shard keeps serving; the loop keeps running and
// stops cleanly. The group coordinator goes offline with COORDINATOR_NOT_AVAILABLE when a
// state-changing call throws, answering what it had parked; a read-only call fails alone. And the
// tick visits only actors with housekeeping due, without losing one that has.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCallBody, encodeCallBody } from '../../../actors/call_body.js';
import { dataViewOf, envelopeHeaderBytes, EnvelopeKind, writeEnvelopeHeader, type EnvelopeHeader } from '../../../actors/envelope.js';
import { logger } from '../../../actors/logger.js';
import { Doorbell } from '../../../actors/ring/doorbell.js';
import { initRing, ringRegionBytes } from '../../../actors/ring/ring_layout.js';
import { RingReader, RingWriter } from '../../../actors/ring/spsc_ring.js';
import { groupCoordinatorActorId, type Actor, type ActorFailure, type ReplySink } from '../../../actors/shard/actor.js';
import { GroupActor } from '../../../actors/shard/group_actor.js';
import { partitionLogOf } from '../../../actors/shard/log_factory.js';
import type { PartitionLog } from '../../../actors/shard/partition_actor.js';
import { ShardRuntime } from '../../../actors/shard/shard_runtime.js';
import { ErrorCode } from '../../../core/errors.js';
import { GroupCoordinator } from '../../../core/group/coordinator.js';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import { FakeClock } from '../../support/fake_clock.js';

const capacity = 64 * 1024;
const silent = logger.child({ test: 'shard_runtime_failures' });
silent.level = 'silent';

interface CallReply {
  correlationId: number;
  ok: boolean;
  errorCode?: number;
  value?: unknown;
}

/** A shard with its rings; the test plays the host. */
class Harness {
  readonly clock = new FakeClock();
  readonly runtime: ShardRuntime;
  readonly #requests: RingWriter;
  readonly #replies: RingReader;
  readonly #received: CallReply[] = [];
  #loop: Promise<void> | null = null;
  /** Set when the shard loop itself died: the failure these tests guard against. */
  #loopError: unknown = null;
  #nextCorrelationId = 1;

  constructor() {
    const buffer = new SharedArrayBuffer(2 * ringRegionBytes(capacity) + 64);
    const requestRegion = { buffer, byteOffset: 0, capacity };
    const replyRegion = { buffer, byteOffset: ringRegionBytes(capacity), capacity };
    initRing(requestRegion);
    initRing(replyRegion);
    const doorbell = new Doorbell(buffer, 2 * ringRegionBytes(capacity));
    this.#requests = new RingWriter(requestRegion, doorbell);
    this.#replies = new RingReader(replyRegion);
    this.runtime = new ShardRuntime({
      shardId: 0,
      requests: new RingReader(requestRegion),
      replies: new RingWriter(replyRegion),
      doorbell,
      clock: this.clock,
      envelopesPerTurn: 64,
      tickIntervalMs: 1000,
      logger: silent,
    });
  }

  start(): void {
    this.#loop = this.runtime.run();
    this.#loop.catch((error: unknown) => (this.#loopError = error ?? new Error('shard loop failed')));
  }

  /** Sends a Call; returns its correlation id. */
  send(actorId: number, method: string, args: unknown[] = []): number {
    const correlationId = this.#nextCorrelationId++;
    const body = encodeCallBody({ method, args });
    const view = this.#requests.reserve(envelopeHeaderBytes + body.length)!;
    writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.Call, actorId, correlationId);
    view.set(body, envelopeHeaderBytes);
    this.#requests.publish();
    return correlationId;
  }

  /** The reply to `correlationId`, once the shard sent it (the test's timeout bounds the wait). */
  async reply(correlationId: number): Promise<CallReply> {
    for (;;) {
      if (this.#loopError !== null) throw new Error(`the shard loop died: ${String(this.#loopError)}`);
      this.#drain();
      const found = this.#received.find((reply) => reply.correlationId === correlationId);
      if (found !== undefined) return found;
      await nextMacrotask();
    }
  }

  async call(actorId: number, method: string, args: unknown[] = []): Promise<CallReply> {
    return this.reply(this.send(actorId, method, args));
  }

  /** Every reply received so far for `correlationId` (to check nothing is answered twice). */
  repliesTo(correlationId: number): number {
    this.#drain();
    return this.#received.filter((reply) => reply.correlationId === correlationId).length;
  }

  #drain(): void {
    for (let view = this.#replies.read(); view !== null; view = this.#replies.read()) {
      const header = dataViewOf(view);
      expect(header.getUint8(0)).toBe(EnvelopeKind.CallResult);
      const body = decodeCallBody(view.slice(envelopeHeaderBytes)) as { ok: boolean; errorCode?: number; value?: unknown };
      this.#received.push({ correlationId: header.getUint32(8, true), ...body });
    }
    this.#replies.release();
  }

  async stop(): Promise<void> {
    if (this.#loop !== null && this.#loopError === null) await this.runtime.stop(this.#loop);
  }
}

/** Answers 'ping' with 'pong'; 'explode' throws a TypeError (a bug), 'answerThenExplode' too after answering. */
class FakeActor implements Actor {
  readonly label: string;
  received = 0;
  ticks = 0;
  tickThrows = false;
  /** What needsTick answers; undefined: the actor has no needsTick (ticked every time). */
  wantsTicks: boolean | undefined = undefined;
  failure?: ActorFailure;
  offlineWith: ActorFailure | null = null;
  closed = false;
  classifyFailure?: (error: unknown, header: EnvelopeHeader | null) => ActorFailure;

  constructor(
    readonly actorId: number,
    readonly sink: ReplySink,
  ) {
    this.label = `fake ${actorId}`;
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    this.received++;
    const { method } = decodeCallBody(envelope.subarray(envelopeHeaderBytes)) as { method: string };
    if (method === 'explode') throw new TypeError('a bug in the actor');
    this.#answer(header.correlationId, 'pong');
    if (method === 'answerThenExplode') throw new TypeError('a bug after answering');
  }

  #answer(correlationId: number, value: unknown): void {
    const body = encodeCallBody({ ok: true, value });
    this.sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.actorId, correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }

  endTurn(): void {}

  tick(): void {
    this.ticks++;
    if (this.tickThrows) throw new RangeError('a bug in housekeeping');
  }

  needsTick(): boolean {
    return this.wantsTicks ?? true;
  }

  takeOffline(failure: ActorFailure): void {
    this.offlineWith = failure;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

let harness: Harness;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.stop();
});

describe('ShardRuntime: an actor that throws', () => {
  it('answers the request UNKNOWN_SERVER_ERROR, takes that actor offline, and keeps serving the others', async () => {
    harness = new Harness();
    const broken = new FakeActor(1, harness.runtime);
    const healthy = new FakeActor(2, harness.runtime);
    harness.runtime.add(broken);
    harness.runtime.add(healthy);
    harness.start();
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: true, value: 'pong' });
    expect(await harness.call(1, 'explode')).toMatchObject({ ok: false, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    expect(broken.offlineWith).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, offline: true });
    // Offline: answered by the runtime, the actor is not called again.
    const receivedBefore = broken.received;
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: false, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    expect(broken.received).toBe(receivedBefore);
    for (let i = 0; i < 3; i++) expect(await harness.call(2, 'ping')).toMatchObject({ ok: true, value: 'pong' });
    await harness.stop();
    expect(broken.closed && healthy.closed).toBe(true);
  });

  it('keeps an actor that says its state is intact, answering only the failed request with its code', async () => {
    harness = new Harness();
    const actor = new FakeActor(1, harness.runtime);
    actor.classifyFailure = () => ({ errorCode: ErrorCode.INVALID_REQUEST, message: 'read-only request failed', offline: false });
    harness.runtime.add(actor);
    harness.start();
    expect(await harness.call(1, 'explode')).toMatchObject({ ok: false, errorCode: ErrorCode.INVALID_REQUEST });
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: true, value: 'pong' });
    expect(actor.offlineWith).toBeNull();
  });

  it('never answers a request twice when the actor answered it before throwing', async () => {
    harness = new Harness();
    harness.runtime.add(new FakeActor(1, harness.runtime));
    harness.runtime.add(new FakeActor(2, harness.runtime));
    harness.start();
    const id = harness.send(1, 'answerThenExplode');
    expect(await harness.reply(id)).toMatchObject({ ok: true, value: 'pong' });
    // Later traffic has gone through the ring after it: any second answer would be there by now.
    expect(await harness.call(2, 'ping')).toMatchObject({ ok: true });
    expect(harness.repliesTo(id)).toBe(1);
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: false, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
  });

  it('takes an actor whose tick throws offline, ticks it no more, and keeps ticking and serving the others', async () => {
    harness = new Harness();
    const broken = new FakeActor(1, harness.runtime);
    const healthy = new FakeActor(2, harness.runtime);
    broken.tickThrows = true;
    harness.runtime.add(broken);
    harness.runtime.add(healthy);
    harness.start();
    harness.clock.advance(1000);
    expect(await harness.call(2, 'ping')).toMatchObject({ ok: true });
    expect(broken.ticks).toBe(1);
    expect(broken.offlineWith).toMatchObject({ offline: true });
    harness.clock.advance(1000);
    expect(await harness.call(2, 'ping')).toMatchObject({ ok: true });
    expect(broken.ticks).toBe(1);
    expect(healthy.ticks).toBe(2);
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: false, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
  });
});

describe('ShardRuntime: housekeeping ticks', () => {
  /** Makes the shard take a turn after moving the fake clock past a tick. */
  async function nextTick(): Promise<void> {
    harness.clock.advance(1000);
    expect(await harness.call(9, 'ping')).toMatchObject({ ok: true });
  }

  it('stops ticking an actor that needs no tick until it receives mail or resumeTicks, and keeps ticking one that does', async () => {
    harness = new Harness();
    const quiet = new FakeActor(1, harness.runtime);
    const busy = new FakeActor(2, harness.runtime);
    const pinger = new FakeActor(9, harness.runtime);
    quiet.wantsTicks = false;
    busy.wantsTicks = true;
    for (const actor of [quiet, busy, pinger]) harness.runtime.add(actor);
    harness.start();
    await nextTick();
    expect([quiet.ticks, busy.ticks]).toEqual([1, 1]); // every actor is ticked once after it is added
    await nextTick();
    await nextTick();
    expect([quiet.ticks, busy.ticks]).toEqual([1, 3]);
    // Mail may leave it something to do: ticked again at the next tick, then dropped again.
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: true });
    await nextTick();
    await nextTick();
    expect(quiet.ticks).toBe(2);
    // A change from outside its mail (an altered topic config).
    harness.runtime.resumeTicks(quiet);
    quiet.wantsTicks = true;
    await nextTick();
    await nextTick();
    expect(quiet.ticks).toBe(4);
    expect(busy.ticks).toBe(7);
  });
});

/** A memory offsets log in the PartitionLog shape the group actor uses. */
async function memoryOffsetsLog(clock: FakeClock): Promise<PartitionLog> {
  const log = await Log.open(new MemoryStorage(), { clock });
  return partitionLogOf(log, { memory: new WebAssembly.Memory({ initial: 1 }), logger: silent });
}

const join = (groupId: string, metadataBytes = 2) => ({
  groupId,
  memberId: '',
  groupInstanceId: null,
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 30_000,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: new Uint8Array(metadataBytes) }],
  clientId: 'test',
  clientHost: '/127.0.0.1',
  requireKnownMemberId: false,
});

describe('GroupActor under the runtime: a failing call', () => {
  async function groupHarness(): Promise<{ group: GroupActor; partition: FakeActor }> {
    harness = new Harness();
    const group = GroupActor.open({
      log: await memoryOffsetsLog(harness.clock),
      sink: harness.runtime,
      clock: harness.clock,
      logger: silent,
      config: { initialRebalanceDelayMs: 3000 },
      partitionCount: () => 1,
    });
    const partition = new FakeActor(1, harness.runtime);
    harness.runtime.add(group);
    harness.runtime.add(partition);
    harness.start();
    return { group, partition };
  }

  it('takes the coordinator offline with COORDINATOR_NOT_AVAILABLE when a state-changing call throws, answering what it parked', async () => {
    const { group } = await groupHarness();
    // A first JoinGroup parks for the initial rebalance delay (the fake clock does not move).
    const parked = harness.send(groupCoordinatorActorId, 'joinGroup', [join('g1')]);
    vi.spyOn(GroupCoordinator.prototype, 'heartbeat').mockImplementation(() => {
      throw new TypeError('half-applied mutation');
    });
    const heartbeat = await harness.call(groupCoordinatorActorId, 'heartbeat', [{ groupId: 'g2', generationId: 1, memberId: 'm', groupInstanceId: null }]);
    expect(heartbeat).toMatchObject({ ok: false, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    expect(await harness.reply(parked)).toMatchObject({ ok: false, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    expect(harness.runtime.offlineReason(group)).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    expect(await harness.call(groupCoordinatorActorId, 'joinGroup', [join('g3')])).toMatchObject({ ok: false, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    // The shard's partitions keep serving, and the fake clock's deadlines no longer reach the coordinator.
    harness.clock.advance(5000);
    expect(await harness.call(1, 'ping')).toMatchObject({ ok: true, value: 'pong' });
    expect(harness.repliesTo(parked)).toBe(1);
  });

  it('answers a reply too large for the reply ring with UNKNOWN_SERVER_ERROR and still answers the rest of its result', async () => {
    const { group } = await groupHarness();
    // Two members of 20 KiB metadata each: the leader's JoinGroup response lists both (40 KiB),
    // more than one record of the 64 KiB reply ring; the follower's response is small.
    const first = harness.send(groupCoordinatorActorId, 'joinGroup', [join('big', 20 * 1024)]);
    const second = harness.send(groupCoordinatorActorId, 'joinGroup', [join('big', 20 * 1024)]);
    // The initial rebalance delay runs (and is extended once for the second member, as Kafka
    // does) on the fake clock; each ping makes the shard take a turn and run due deadlines.
    for (let step = 0; step < 30 && harness.repliesTo(first) + harness.repliesTo(second) < 2; step++) {
      expect(await harness.call(1, 'ping')).toMatchObject({ ok: true });
      harness.clock.advance(1000);
    }
    expect(harness.repliesTo(first) + harness.repliesTo(second)).toBe(2);
    const answers = [await harness.reply(first), await harness.reply(second)];
    expect(answers.filter((answer) => answer.ok)).toHaveLength(1);
    expect(answers.filter((answer) => !answer.ok)).toMatchObject([{ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }]);
    expect(harness.runtime.offlineReason(group)).toBeUndefined();
    expect(await harness.call(groupCoordinatorActorId, 'describeGroups', [['other']])).toMatchObject({ ok: true });
  });

  it('fails only the request when a read-only call throws; the coordinator keeps serving', async () => {
    const { group } = await groupHarness();
    vi.spyOn(GroupCoordinator.prototype, 'describeGroups').mockImplementationOnce(() => {
      throw new TypeError('a bug while describing');
    });
    expect(await harness.call(groupCoordinatorActorId, 'describeGroups', [['g1']])).toMatchObject({ ok: false, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    expect(harness.runtime.offlineReason(group)).toBeUndefined();
    expect(await harness.call(groupCoordinatorActorId, 'describeGroups', [['g1']])).toMatchObject({ ok: true });
  });

  it('answers a method outside its call map with INVALID_REQUEST and stays online', async () => {
    const { group } = await groupHarness();
    // 'toString' and 'constructor' are on every object: only the calls the map names are served.
    for (const method of ['noSuchCall', 'toString', 'constructor', '__proto__']) {
      expect(await harness.call(groupCoordinatorActorId, method, [{}])).toMatchObject({ ok: false, errorCode: ErrorCode.INVALID_REQUEST });
    }
    expect(harness.runtime.offlineReason(group)).toBeUndefined();
    expect(await harness.call(groupCoordinatorActorId, 'listGroups', [[]])).toMatchObject({ ok: true, value: { errorCode: ErrorCode.NONE, groups: [] } });
  });
});
