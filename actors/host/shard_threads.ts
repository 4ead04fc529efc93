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
 * Workers, on any machine, for now. Measured with bench/load --mode request-rate (single-record
 * Produce, acks -1) on a 2-vCPU VM shared with other work (load average 20-28 throughout, 7
 * interleaved rounds, so preliminary): with memory storage inline lowers the median service time
 * at 1 request in flight (0.45 against 0.68 ms) and 5 (0.39 against 1.8 ms) and the broker's CPU
 * per request at 1 (550 against 840 µs); but with disk storage it served about half the requests
 * at 5 in flight (150 against 300 per second; each append's writeSync and each fsync completion
 * now share the thread that reads the sockets), and large-batch end-to-end throughput fell by a
 * fifth to a third (one thread where workers use two cores; on a saturated machine also fewer
 * threads competing for CPU). Revisit with figures from an idle machine: inline for memory
 * storage when availableParallelism() <= 2 is the likely next default.
 */
export function defaultShardThreads(): ShardThreads {
  return 'workers';
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
