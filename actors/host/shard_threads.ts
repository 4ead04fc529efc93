// Where a shard's runtime runs, and how the host wakes it.
//
//   'workers'  one worker thread per shard (shard/shard_main.ts). The host publishes a batch of
//              requests and rings the shard's doorbell; the shard rings the host's doorbell
//              after publishing replies. A Produce crosses threads twice (host → shard → host),
//              and each crossing is a wake-up of a sleeping thread.
//   'inline'   the shard runs on the host's own thread. Same rings, same shared memory, same
//              actor code (shard/shard_instance.ts); only the waking differs: publishing requests
//              runs the shard's turns right there (ShardRuntime.runTurns) and publishing replies
//              queues a microtask that drains them, so a request is served within the microtask
//              that published it: no Atomics.notify, no event-loop turn, no other thread.
//              The shard's own loop still runs on this event loop for what is not a request
//              (housekeeping ticks, group deadlines, fsync completions), sleeping on its doorbell.
//
// Inline costs: the shard's CPU work shares the host's one thread, and disk storage's writeSync
// calls block the host's event loop while they run (sockets wait). It pays where wake-ups, not
// CPU, bound the rate: few requests in flight, few cores.
import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { assert } from '../../core/assert.js';
import { Doorbell } from '../ring/doorbell.js';
import { RingReader, RingWriter } from '../ring/spsc_ring.js';
import { spawnWorker } from '../spawn.js';
import type { ShardControl } from '../shard/shard_control.js';
import type { ShardWorkerData } from '../shard/shard_instance.js';
import type { ShardRuntime } from '../shard/shard_runtime.js';
import { ShardHandle, type ShardThread } from './shard_handle.js';

export type ShardThreads = 'workers' | 'inline';

/**
 * Inline for memory storage on a machine of one or two cores; worker threads otherwise.
 *
 * On two cores a request to a worker shard crosses threads four times (socket thread → shard →
 * socket thread, each hop a wake-up that can wait for the scheduler), and the threads compete
 * for the same two cores with the clients. Measured on the project's 2-vCPU VM, nearly idle
 * (load 0.7–1.9), `node dist/bench/load/main.js --mode request-rate --in-flight-steps 1,5,32
 * --shard-threads workers|inline --duration-ms 4000` (single-record Produce, acks −1, memory):
 * inline served 13.8k / 36.9k / 65.6k requests/s at 1 / 5 / 32 in flight against workers' 8.2k /
 * 22.9k / 42.6k, service p99 0.22 / 0.42 / 3.4 ms against 0.37 / 0.79 / 3.1 ms, at half the
 * broker CPU per request (26 against 45 µs at 5). What inline gives up is large-batch throughput
 * (`--mode end-to-end --records 3000000`, two rounds each: 0.79–0.86 M records/s against
 * 0.90–0.99 M with workers, one thread doing what two did), a cost the clients users run never
 * reach (they stop at 0.1–0.2 M/s, BENCHMARKS.md). Disk storage keeps workers: its appends' writes
 * and fsyncs would then block the thread that reads every socket. More cores keep workers: the
 * shards then have cores of their own.
 */
export function defaultShardThreads(storage: 'memory' | 'disk', cores: number = availableParallelism()): ShardThreads {
  return storage === 'memory' && cores <= 2 ? 'inline' : 'workers';
}

/** Starts shard `data.shardId`; `drainReplies` drains its reply ring into the host (inline only). */
export function startShard(threads: ShardThreads, data: ShardWorkerData, drainReplies: (shard: ShardHandle) => void): ShardHandle {
  return threads === 'inline' ? startInlineShard(data, drainReplies) : startWorkerShard(data);
}

function rings(data: ShardWorkerData) {
  const buffer = data.memory.buffer as unknown as SharedArrayBuffer;
  const regions = data.plan.shards[data.shardId];
  const region = (byteOffset: number) => ({ buffer, byteOffset, capacity: data.plan.ringBytes });
  return { buffer, regions, request: region(regions.requestRing), reply: region(regions.replyRing) };
}

function startWorkerShard(data: ShardWorkerData): ShardHandle {
  const { buffer, regions, request, reply } = rings(data);
  const worker = spawnWorker('shard/shard_main', { workerData: data, name: `lanes-shard-${data.shardId}` });
  const control = Comlink.wrap<ShardControl>(nodeEndpoint(worker));
  return new ShardHandle(data.shardId, worker, control, new RingWriter(request, new Doorbell(buffer, regions.doorbell)), new RingReader(reply));
}

/** A doorbell whose ring is a call on this thread instead of a notify to a sleeping one. */
class CallingDoorbell extends Doorbell {
  readonly #onRing: () => void;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, onRing: () => void) {
    super(buffer, byteOffset);
    this.#onRing = onRing;
  }

  override ring(): void {
    this.#onRing();
  }
}

/**
 * The inline shard's reply ring. When it is full the writer cannot block (the reader is this
 * very thread): it hands what is published to the host instead, which frees the ring at once.
 */
class InlineReplyWriter extends RingWriter {
  readonly #drainHost: () => void;

  constructor(region: ConstructorParameters<typeof RingWriter>[0], doorbell: Doorbell, drainHost: () => void) {
    super(region, doorbell);
    this.#drainHost = drainHost;
  }

  override waitForRoom(payloadBytes: number): void {
    this.publish();
    this.#drainHost();
    assert(this.hasRoomFor(payloadBytes), 'an inline reply ring has room once the host drained it');
  }
}

/** An inline shard as a ShardThread: 'error' when its loop fails, 'exit' once terminated. */
class InlineThread extends EventEmitter implements ShardThread {
  readonly #ports: { close(): void }[];
  #exited = false;

  constructor(ports: { close(): void }[]) {
    super();
    this.#ports = ports;
  }

  async terminate(): Promise<number> {
    if (!this.#exited) {
      this.#exited = true;
      for (const port of this.#ports) port.close();
      this.emit('exit', 0);
    }
    return 0;
  }
}

function startInlineShard(data: ShardWorkerData, drainReplies: (shard: ShardHandle) => void): ShardHandle {
  const { buffer, regions, request, reply } = rings(data);
  const channel = new MessageChannel();
  const thread = new InlineThread([channel.port1, channel.port2]);
  let runtime: ShardRuntime | null = null;
  let handle: ShardHandle | null = null;
  let drainQueued = false;
  const drainHost = () => {
    if (handle !== null) drainReplies(handle);
  };
  const drainNow = () => {
    drainQueued = false;
    drainHost();
  };
  const loopFailed = (error: unknown) => thread.emit('error', error instanceof Error ? error : new Error(String(error)));
  // Replies published: drained in a microtask, so one drain serves everything a turn published.
  // (Measured against ringing the real doorbells, whose Atomics.notify wakes an Atomics.waitAsync
  // of this same thread through the event loop: that works, but costs more CPU per request and a
  // higher p50 at one request in flight.)
  const replyDoorbell = new CallingDoorbell(buffer, data.plan.hostDoorbell, () => {
    if (drainQueued) return;
    drainQueued = true;
    queueMicrotask(drainNow);
  });
  // Requests published: served now. Before the runtime exists its loop's first turn serves them.
  const requestDoorbell = new CallingDoorbell(buffer, regions.doorbell, () => runtime?.runTurns());
  // Imported here, not with this module: the shard's actors, logs and group coordinator are a
  // fifth of the modules `import('lanes')` would load, and with worker shards the main thread
  // never runs them.
  const started = import('../shard/shard_instance.js').then(({ startShardInstance }) => startShardInstance(data, {
    endpoint: channel.port2,
    onLoopFailed: loopFailed,
    // The channel stays open until the broker terminates the thread: closing it here could race
    // comlink's answer to stop(). Once closed, nothing of the shard keeps the event loop alive.
    onStopped: () => {},
    replies: new InlineReplyWriter(reply, replyDoorbell, drainHost),
    // A poll would block the host's event loop: sockets, and the very requests it waits for.
    pollBudgetUs: 0,
  }));
  started.then(
    (instance) => {
      runtime = instance.runtime;
      runtime.runTurns();
    },
    loopFailed,
  );
  const control = Comlink.wrap<ShardControl>(nodeEndpoint(channel.port1));
  handle = new ShardHandle(data.shardId, thread, control, new RingWriter(request, requestDoorbell), new RingReader(reply));
  return handle;
}
