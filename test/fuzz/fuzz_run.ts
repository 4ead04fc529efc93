// One fuzz run against a real broker process: `lanes start --storage disk` (the built CLI), a
// good client producing and consuming beside the fuzzer, and `connections` fuzz connections each
// writing batches of generated frames (frames.ts) followed by a well-formed ApiVersions request,
// the sentinel. The sentinel's answer means the broker read the whole batch and kept the
// connection; the broker closing the connection is an acceptable answer to a malformed frame (Kafka
// closes on unparseable requests), after which the fuzz connection reconnects. A sentinel still
// unanswered after `sentinelWaitMs` is not a failure either (a fuzzed Fetch may legally long-poll,
// a JoinGroup may wait for its group): the connection is abandoned and replaced.
//
// Failures: the broker process exiting (a crash, with the last writes and the broker's stderr),
// the good client failing (a produce refused, a record corrupted or not read back), or acked data
// missing after a kill -9 and restart. With `stopOnCrash` false (the long run) a crash is recorded
// and the broker restarted on the same data directory, and fuzzing continues.
//
// Frame generation depends only on the seed (one Prng per fuzz connection), never on timing or on
// the broker's answers, so LANES_SEED replays the same frames in the same order per connection.
import { lstatSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCliBroker, type CliBroker } from '../../bench/support/cli_broker.js';
import { readProcessCpuMs, readProcessSample, readThreadsCpuMs } from '../../bench/support/proc_sample.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { decodeResponse, encodeRequestFrame } from '../../core/protocol/codec.js';
import { FrameSplitter } from '../../core/protocol/frame.js';
import { apiByKey } from '../../core/protocol/messages/registry.js';
import { Reader } from '../../core/protocol/reader.js';
import { concatChunks } from '../../core/protocol/writer.js';
import { Prng } from '../support/prng.js';
import { FrameFactory, type AdvertisedVersion, type FuzzFrame } from './frames.js';
import { goodClientMarker, GoodClient } from './good_client.js';
import { knownCrashes, knownCrashIn, type KnownCrash } from './skip_list.js';
import { fuzzTopics } from './valid_requests.js';

export interface FuzzOptions {
  seed: number;
  /** Fuzzing time; the catch-up and restart checks come after. */
  durationMs: number;
  /** Stop fuzzing once the broker has read this many frames, if that comes before `durationMs`. */
  framesMax?: number;
  /** Parallel fuzz connections (default 4). */
  connections?: number;
  /** At most this many frames per write before the sentinel (default 16). */
  framesPerWrite?: number;
  /** The chance that a write ends in a mutated frame (default 0.7). */
  mutationChance?: number;
  /** Writes outstanding at once per fuzz connection, each ending in its sentinel (default 1: see RELIABILITY.md). */
  pipeline?: number;
  /** Apply the temporary skip-list of known crashes (default true). */
  skipList?: boolean;
  /** Stop at the first crash (the bounded test) or restart the broker and go on (default true). */
  stopOnCrash?: boolean;
  /** How long the oldest unanswered sentinel is waited for before the connection is abandoned (default 3 s). */
  sentinelWaitMs?: number;
  /** Called about every `progressEveryMs` (default 5 s). */
  onProgress?: (stats: FuzzStats) => void;
  progressEveryMs?: number;
  /** Broker shard threads (default one per core). */
  shards?: number;
  /** Fuzz only these APIs (Kafka names, e.g. 'Produce'); default every advertised one. */
  apis?: readonly string[];
  /** Called with each crash as soon as it is recorded. */
  onCrash?: (crash: CrashReport) => void;
  /**
   * Stop fuzzing (a failure, `stoppedBy`) once the broker's data directory holds more than this
   * many MiB, or its file system has less than `diskFreeMiBMin` free: a long unattended run must
   * not fill the disk (default: neither bound).
   */
  dataDirMiBMax?: number;
  diskFreeMiBMin?: number;
  /**
   * Partitions to create (topics `fill-N` of up to 100) before fuzzing: a long run's fuzzed
   * CreateTopics reach the broker's partition cap within its first million frames or so, after
   * which every tick, catalogue save and all-topics Metadata answer covers thousands of
   * partitions; this starts a short run there (default 0).
   */
  prefillPartitions?: number;
}

export interface CrashReport {
  seed: number;
  atMs: number;
  exit: number | string;
  /** The skip-list entry whose stderr pattern matched, or null for a crash not known before. */
  known: string | null;
  stderrTail: string;
  /** The last writes to the broker over all fuzz connections, oldest first. */
  lastWrites: { connection: number; labels: string[]; hex: string }[];
}

export interface FuzzStats {
  elapsedMs: number;
  /** Frames of the writes the broker read (answered, closed on, or abandoned); not the unread ones. */
  framesSent: number;
  mutatedFrames: number;
  /** Writes the broker read, as framesSent. */
  writes: number;
  /** Writes sent behind one the broker closed the connection on (or abandoned), never read. */
  unreadWrites: number;
  /** Writes after which the sentinel was answered: every frame of the write was read and kept. */
  sentinelsAnswered: number;
  closedByBroker: number;
  abandoned: number;
  /** Writes not sent because the skip-list recognized a known crash in them, by crash id. */
  skipped: Record<string, number>;
  /** The first skipped write per known crash: what the fuzzer found. */
  skippedExamples: Record<string, { labels: string[]; hex: string }>;
  /** Writes not sent because they named the good client's topic or group. */
  protectedDrops: number;
  rssMiB: { min: number; max: number; last: number };
  /**
   * CPU time spent while fuzzing, in ms: the broker process's (every thread, every restart; read
   * once a second from /proc), its main thread's (sockets, decoding, most handlers: one thread,
   * so it bounds the rate alone), and this process's (the fuzzer and the good client). Per frame,
   * these say what the run costs whatever else the machine is doing.
   */
  cpuMs: { broker: number; brokerMain: number; fuzzer: number };
  /**
   * The broker's CPU split by thread, in ms over the fuzzing time of its last start: `main`, then
   * the others by their thread id's distance from the pid (`+1` …, in creation order: V8's
   * platform threads, libuv's pool, then the shard worker threads; see readThreadsCpuMs).
   */
  brokerThreadsCpuMs: Record<string, number>;
  good: { acked: number; consumed: number; errors: string[] };
  crashes: CrashReport[];
  /**
   * Bugs the process survived: the broker's error lines for a request that failed inside its
   * actor, an actor taken offline (a partition answering KAFKA_STORAGE_ERROR until a restart), or
   * an answer that could not be encoded. The first few lines are kept; `count` has them all.
   */
  survivedBugs: { count: number; lines: string[] };
  brokerRestarts: number;
  /** The broker's data directory (allocated blocks), sampled every `dataDirSampleEveryMs`, and the file system's free space. */
  dataDir: { mib: number; maxMiB: number; diskFreeMiB: number };
  /** Why fuzzing stopped before its time or frame count, if it did (a disk guard). */
  stoppedBy: string | null;
}

export interface FuzzResult extends FuzzStats {
  seed: number;
  /** Acked records the good client had not read back when fuzzing stopped (after a bounded wait). */
  missingBeforeRestart: number[];
  /** Acked records missing, or corrupted, after kill -9 and a restart on the same data. */
  missingAfterRestart: number[];
  /** The broker's exit status on SIGTERM at the very end. */
  finalExit: number | string | null;
  /**
   * Request and response bytes the broker still counted in its budgets once every client had
   * left (lanes_listener_request_bytes / _response_bytes, after a bounded wait): anything but 0 is
   * a leak in the accounting, which stops the broker reading once the budget is spent. Null when
   * not read (a crashed run).
   */
  bytesHeldAfterClients: { requests: number; responses: number } | null;
}

const sentinelCorrelationId = 0x7fff_fff0;
const marker = new TextEncoder().encode(goodClientMarker);
// Shards may run seconds behind the socket on a busy machine: the write that crashed one may be
// dozens of writes old by the time the process exits.
const recentWritesKept = 64;
const MiB = 1024 * 1024;
/**
 * The broker's own words for a bug it survived (actors/shard/shard_runtime.ts, actors/net/connection.ts):
 * the shard or listener kept serving, but a value off the wire reached an assert or an encoder.
 */
const survivedBugPattern = /"msg":"(actor failed; taken offline|request failed in its actor|[^"]*\(a bug\))/;
const survivedBugLinesKept = 20;
const dataDirSampleEveryMs = 30_000;

/** The bytes the files under `path` take on disk (allocated blocks: sparse index files count what they use). */
function allocatedBytes(path: string): number {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return 0; // deleted while walked (a topic deleted by the fuzzer)
  }
  let bytes = stat.blocks * 512;
  if (stat.isDirectory()) {
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      // deleted while walked
    }
    for (const name of names) bytes += allocatedBytes(join(path, name));
  }
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle) >= 0;
}

/** The (api, version) pairs the broker advertises, read from its ApiVersions answer. */
async function advertisedVersions(port: number): Promise<AdvertisedVersion[]> {
  const socket = connect(port, '127.0.0.1');
  const splitter = new FrameSplitter(0x7fff_ffff);
  const frame = await new Promise<Uint8Array>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      const frames = splitter.push(chunk);
      if (frames.length > 0) resolve(frames[0]);
    });
    socket.write(concatChunks(encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId: 1, clientId: 'fuzz' }, { clientSoftwareName: '', clientSoftwareVersion: '' })));
  });
  socket.destroy();
  const reader = new Reader(frame);
  reader.readInt32();
  const response = decodeResponse(ApiKey.ApiVersions, 0, reader);
  const out: AdvertisedVersion[] = [];
  for (const api of response.apiKeys) {
    const pair = apiByKey.get(api.apiKey);
    if (pair === undefined) throw new Error(`the broker advertises api ${api.apiKey}, which the codec has no table for`);
    for (let version = api.minVersion; version <= api.maxVersion; version++) out.push({ apiKey: api.apiKey, version, name: pair.request.name });
  }
  return out;
}

/** The sentinel: a well-formed ApiVersions v0 request. */
const sentinelBytes = concatChunks(
  encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId: sentinelCorrelationId, clientId: 'fuzz' }, { clientSoftwareName: '', clientSoftwareVersion: '' }),
);

/**
 * What became of one write: its sentinel answered (every frame read and the connection kept), the
 * connection closed while it was the oldest unanswered write (the broker read up to a frame it
 * refused), abandoned (no answer within the wait: a long poll or a group wait), or unread (it was
 * queued behind a write that closed or was abandoned, so the broker never read it).
 */
type WriteOutcome = 'answered' | 'closed' | 'abandoned' | 'unread';

/**
 * One fuzz connection, pipelined: several writes may be outstanding, each ending in its sentinel.
 * The broker answers a connection's requests in order (as Kafka does), so each sentinel answer
 * settles the oldest outstanding write. Writing the next ones without waiting for each answer keeps
 * the broker's socket busy instead of idling a round trip per write; what it costs is the writes
 * queued behind one that makes the broker close the connection, which are never read (counted
 * apart, not as frames sent).
 */
class FuzzConnection {
  readonly #socket: Socket;
  readonly #splitter = new FrameSplitter(0x7fff_ffff);
  readonly #waitMs: number;
  #closed = false;
  /** Outstanding writes, oldest first. */
  readonly #pending: ((outcome: WriteOutcome) => void)[] = [];
  /** Fires when the oldest write has waited `waitMs` since it became the oldest. */
  #timer: NodeJS.Timeout | null = null;

  private constructor(socket: Socket, waitMs: number) {
    this.#socket = socket;
    this.#waitMs = waitMs;
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = this.#splitter.push(chunk);
      } catch {
        return this.#end('closed');
      }
      for (const frame of frames) {
        if (frame.length >= 4 && new DataView(frame.buffer, frame.byteOffset).getInt32(0) === sentinelCorrelationId) this.#answered();
      }
    });
    socket.on('close', () => this.#end('closed'));
    socket.on('error', () => undefined);
  }

  static open(port: number, waitMs: number): Promise<FuzzConnection | null> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new FuzzConnection(socket, waitMs)));
      socket.once('error', () => resolve(null));
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  #answered(): void {
    this.#pending.shift()?.('answered');
    this.#restartTimer();
  }

  #restartTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = this.#pending.length === 0 ? null : setTimeout(() => this.#end('abandoned'), this.#waitMs);
  }

  /** The connection is done: the oldest write gets `outcome`, the ones behind it were never read. */
  #end(outcome: 'closed' | 'abandoned'): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#closed = true;
    this.#socket.destroy();
    this.#pending.shift()?.(outcome);
    for (const settle of this.#pending.splice(0)) settle('unread');
  }

  /** Writes `bytes` and its sentinel; resolves with what became of them. */
  send(bytes: Uint8Array): Promise<WriteOutcome> {
    if (this.#closed) return Promise.resolve('unread');
    return new Promise((resolve) => {
      this.#pending.push(resolve);
      if (this.#pending.length === 1) this.#restartTimer();
      this.#socket.write(concatChunks([bytes, sentinelBytes]));
    });
  }

  destroy(): void {
    this.#end('closed');
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const connections = options.connections ?? 4;
  const framesPerWrite = options.framesPerWrite ?? 16;
  const mutationChance = options.mutationChance ?? 0.7;
  const skipCrashes: readonly KnownCrash[] = options.skipList === false ? [] : knownCrashes;
  const stopOnCrash = options.stopOnCrash ?? true;
  const sentinelWaitMs = options.sentinelWaitMs ?? 3000;
  const pipeline = options.pipeline ?? 1;
  const progressEveryMs = options.progressEveryMs ?? 5000;
  const dataDir = mkdtempSync(join(tmpdir(), 'lanes-fuzz-'));
  const startedAt = performance.now();
  const stats: FuzzStats = {
    elapsedMs: 0,
    framesSent: 0,
    mutatedFrames: 0,
    writes: 0,
    unreadWrites: 0,
    sentinelsAnswered: 0,
    closedByBroker: 0,
    abandoned: 0,
    skipped: {},
    skippedExamples: {},
    protectedDrops: 0,
    rssMiB: { min: Infinity, max: 0, last: 0 },
    cpuMs: { broker: 0, brokerMain: 0, fuzzer: 0 },
    brokerThreadsCpuMs: {},
    good: { acked: 0, consumed: 0, errors: [] },
    crashes: [],
    survivedBugs: { count: 0, lines: [] },
    brokerRestarts: 0,
    dataDir: { mib: 0, maxMiB: 0, diskFreeMiB: Infinity },
    stoppedBy: null,
  };
  // The raw bytes of the last writes; turned into hex only for a crash report (hexing every write
  // cost the fuzzer a quarter of its time).
  const recentWrites: { connection: number; labels: string[]; bytes: Uint8Array }[] = [];
  const lastWrites = (): CrashReport['lastWrites'] => recentWrites.map((write) => ({ connection: write.connection, labels: write.labels, hex: toHex(write.bytes) }));
  const good = new GoodClient();
  let stderrTail = '';
  const noteSurvivedBugs = (text: string): void => {
    const lines = (stderrTail + text).split('\n');
    stderrTail = lines.pop() ?? '';
    for (const line of lines) {
      if (!survivedBugPattern.test(line)) continue;
      stats.survivedBugs.count++;
      if (stats.survivedBugs.lines.length < survivedBugLinesKept) stats.survivedBugs.lines.push(line.slice(0, 4000));
    }
  };
  let broker: CliBroker;
  let brokerUp: Promise<void>;
  let stop = false;

  const launch = async (): Promise<void> => {
    // LANES_FUZZ_BROKER_NODE_ARGS: node flags for the broker child, to profile it under fuzzing
    // (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` or `--heapsnapshot-signal=SIGUSR2`).
    const execArgv = process.env.LANES_FUZZ_BROKER_NODE_ARGS?.split(' ').filter((arg) => arg !== '');
    broker = await startCliBroker({ dataDir, storage: 'disk', shards: options.shards, admin: true, execArgv, env: { LANES_LOG_LEVEL: 'error' }, onStderr: noteSurvivedBugs });
    if (broker.adminUrl !== null && process.env.LANES_FUZZ_ADMIN === '1') process.stderr.write(`fuzz: broker admin at ${broker.adminUrl}\n`);
    const current = broker;
    void current.exited.then((exit) => {
      if (stop && !crashed) return;
      crashed = true;
      good.excuseSince(5000);
      const stderr = current.stderr();
      // Known only when both its stderr pattern matches and one of the last writes carries its
      // signature: the same assert reached by another request is a new crash.
      const known = knownCrashes.find((crash) => crash.stderrPattern.test(stderr) && recentWrites.some((write) => knownCrashIn(write.bytes, [crash]) !== null));
      const crash: CrashReport = { seed: options.seed, atMs: Math.round(performance.now() - startedAt), exit, known: known?.id ?? null, stderrTail: stderr.slice(-4000), lastWrites: lastWrites() };
      stats.crashes.push(crash);
      options.onCrash?.(crash);
    });
  };
  let crashed = false;
  await launch();
  const versions = (await advertisedVersions(broker!.port)).filter((entry) => options.apis === undefined || options.apis.includes(entry.name));
  if (versions.length === 0) throw new Error(`none of ${options.apis?.join(', ')} is advertised`);
  {
    const admin = new (await import('../../actors/host/index.js')).Kafka({ clientId: 'fuzz-admin', brokers: [broker!.address] }).admin();
    await admin.connect();
    await admin.createTopics({ topics: fuzzTopics.map((topic) => ({ topic, numPartitions: 4 })) });
    for (let made = 0; made < (options.prefillPartitions ?? 0); made += 100) {
      await admin.createTopics({ topics: [{ topic: `fill-${made}`, numPartitions: Math.min(100, options.prefillPartitions! - made) }] });
    }
    await admin.disconnect();
  }
  await GoodClient.createTopic(broker!.address);
  await good.start(broker!.address);
  brokerUp = Promise.resolve();

  // After a crash in the long run: restart on the same data, start the good client again.
  const recover = async (): Promise<void> => {
    await good.stop(true);
    await broker.exited;
    brokerCpuMsBefore += brokerCpuMsNow;
    brokerCpuMsNow = 0;
    brokerMainCpuMsBefore += brokerMainCpuMsNow;
    brokerMainCpuMsNow = 0;
    stats.brokerRestarts++;
    crashed = false;
    await launch();
    brokerThreadsAtStart = new Map();
    await good.start(broker.address);
  };

  // The CPU both processes spend from here (fuzzing starts) to the end of fuzzing.
  const fuzzerCpuAtStart = process.cpuUsage();
  let brokerCpuMsBefore = -(readProcessCpuMs(broker!.pid) ?? 0);
  let brokerCpuMsNow = 0;
  let brokerMainCpuMsBefore = -(readProcessCpuMs(broker!.pid, broker!.pid) ?? 0);
  let brokerMainCpuMsNow = 0;
  let brokerThreadsAtStart = readThreadsCpuMs(broker!.pid) ?? new Map<number, number>();
  let fuzzing = true;
  const sampleCpu = (): void => {
    if (!fuzzing) return;
    brokerCpuMsNow = readProcessCpuMs(broker.pid) ?? brokerCpuMsNow;
    brokerMainCpuMsNow = readProcessCpuMs(broker.pid, broker.pid) ?? brokerMainCpuMsNow;
    const threads = readThreadsCpuMs(broker.pid);
    if (threads !== null) {
      const byThread: Record<string, number> = {};
      for (const [tid, ms] of [...threads].sort(([a], [b]) => a - b)) byThread[tid === broker.pid ? 'main' : `+${tid - broker.pid}`] = ms - (brokerThreadsAtStart.get(tid) ?? 0);
      stats.brokerThreadsCpuMs = byThread;
    }
    const fuzzer = process.cpuUsage(fuzzerCpuAtStart);
    stats.cpuMs = { broker: brokerCpuMsBefore + brokerCpuMsNow, brokerMain: brokerMainCpuMsBefore + brokerMainCpuMsNow, fuzzer: Math.round((fuzzer.user + fuzzer.system) / 1000) };
  };
  const sampler = setInterval(() => {
    sampleCpu();
    const sample = readProcessSample(broker.pid);
    if (sample === null) return;
    const rss = sample.rssBytes / MiB;
    stats.rssMiB = { min: Math.min(stats.rssMiB.min, rss), max: Math.max(stats.rssMiB.max, rss), last: rss };
  }, 1000);
  const sampleDataDir = (): void => {
    const mib = allocatedBytes(dataDir) / MiB;
    const volume = statfsSync(dataDir);
    const diskFreeMiB = (volume.bavail * volume.bsize) / MiB;
    stats.dataDir = { mib, maxMiB: Math.max(stats.dataDir.maxMiB, mib), diskFreeMiB };
    if (mib > (options.dataDirMiBMax ?? Infinity)) stats.stoppedBy ??= `the data directory holds ${mib.toFixed(0)} MiB, over --data-dir-max-mib ${options.dataDirMiBMax}`;
    if (diskFreeMiB < (options.diskFreeMiBMin ?? 0)) stats.stoppedBy ??= `${diskFreeMiB.toFixed(0)} MiB free on the data directory's file system, under --disk-free-min-mib ${options.diskFreeMiBMin}`;
  };
  sampleDataDir();
  // A walk of every partition's files: cheap, but not every second (thousands of fuzz-made
  // partitions are thousands of directories).
  const dataDirSampler = setInterval(sampleDataDir, dataDirSampleEveryMs);
  const progress = setInterval(() => {
    refresh();
    options.onProgress?.(stats);
  }, progressEveryMs);
  const refresh = () => {
    stats.elapsedMs = Math.round(performance.now() - startedAt);
    stats.good = { acked: good.acked.size, consumed: good.consumed.size, errors: good.errors };
  };

  const worker = async (index: number): Promise<void> => {
    const factory = new FrameFactory(new Prng((options.seed + Math.imul(index + 1, 0x9e37_79b9)) >>> 0), versions, mutationChance);
    let connection: FuzzConnection | null = null;
    const inFlight = new Set<Promise<void>>();
    while (!stop) {
      if (crashed) {
        await brokerUp;
        if (crashed) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
      }
      if (connection === null || connection.closed) {
        // Writes still outstanding on the closed connection have settled (closed, unread).
        await Promise.all(inFlight);
        connection = await FuzzConnection.open(broker.port, sentinelWaitMs);
        if (connection === null) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
      }
      const frames: FuzzFrame[] = factory.nextWrite(framesPerWrite);
      const write = concatChunks(frames.map((frame) => frame.bytes));
      const labels = frames.map((frame) => frame.label);
      if (contains(write, marker)) {
        stats.protectedDrops++;
        continue;
      }
      const known = knownCrashIn(write, skipCrashes);
      if (known !== null) {
        stats.skipped[known.id] = (stats.skipped[known.id] ?? 0) + 1;
        stats.skippedExamples[known.id] ??= { labels, hex: toHex(write) };
        continue;
      }
      recentWrites.push({ connection: index, labels, bytes: write });
      if (recentWrites.length > recentWritesKept) recentWrites.shift();
      const mutated = frames.filter((frame) => frame.mutated).length;
      const sent = connection.send(write).then((outcome) => {
        if (outcome === 'unread') {
          stats.unreadWrites++;
          return;
        }
        stats.writes++;
        stats.framesSent += frames.length;
        stats.mutatedFrames += mutated;
        if (outcome === 'answered') stats.sentinelsAnswered++;
        else if (outcome === 'closed') stats.closedByBroker++;
        else stats.abandoned++;
      });
      inFlight.add(sent);
      void sent.then(() => inFlight.delete(sent));
      if (inFlight.size >= pipeline) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    connection?.destroy();
  };

  const workers = Array.from({ length: connections }, (_, index) => worker(index));
  const deadline = startedAt + options.durationMs;
  const framesMax = options.framesMax ?? Infinity;
  while (performance.now() < deadline && stats.framesSent < framesMax && stats.stoppedBy === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (crashed) {
      if (stopOnCrash) break;
      // Give the crash handler a moment to have recorded the report, then restart.
      let restarted!: () => void;
      brokerUp = new Promise((resolve) => (restarted = resolve));
      try {
        await recover();
      } catch (error) {
        // The broker does not start again on its own data: as bad as a crash, and fuzzing
        // cannot go on.
        const crash: CrashReport = { seed: options.seed, atMs: Math.round(performance.now() - startedAt), exit: 'restart failed', known: null, stderrTail: String(error).slice(-4000), lastWrites: lastWrites() };
        stats.crashes.push(crash);
        options.onCrash?.(crash);
        restarted();
        break;
      }
      restarted();
    }
    if (stopOnCrash && good.errors.length > 0) break;
  }
  stop = true;
  await Promise.all(workers);
  clearInterval(progress);
  clearInterval(dataDirSampler);
  sampleDataDir();
  if (!crashed) sampleCpu();
  fuzzing = false;
  refresh();

  const result: FuzzResult = { ...stats, seed: options.seed, missingBeforeRestart: [], missingAfterRestart: [], finalExit: null, bytesHeldAfterClients: null };
  if (crashed) {
    await good.stop(true);
    clearInterval(sampler);
    rmSync(dataDir, { recursive: true, force: true });
    return { ...result, ...snapshot(stats, good) };
  }
  result.missingBeforeRestart = await good.caughtUp(60_000);
  await good.stop();
  result.bytesHeldAfterClients = await bytesHeldOnceIdle(broker!.adminUrl, 30_000);
  // Durability: kill -9, restart on the same data, read everything back with a fresh group.
  stop = true;
  await broker!.kill();
  await launch();
  result.missingAfterRestart = await good.verifyFromStart(broker!.address, 60_000);
  clearInterval(sampler);
  result.finalExit = await broker!.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { ...result, ...snapshot(stats, good) };
}

/**
 * The broker's request and response budgets once no client is left: they should return to 0 as
 * the last requests end (a request parked for other clients gives its bytes back when it parks).
 * Polled until both are 0 or `waitMs` passed; the last reading.
 */
async function bytesHeldOnceIdle(adminUrl: string | null, waitMs: number): Promise<{ requests: number; responses: number } | null> {
  if (adminUrl === null) return null;
  const deadline = performance.now() + waitMs;
  for (;;) {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const held = { requests: gauge('lanes_listener_request_bytes'), responses: gauge('lanes_listener_response_bytes') };
    if ((held.requests === 0 && held.responses === 0) || performance.now() >= deadline) return held;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function snapshot(stats: FuzzStats, good: GoodClient): Partial<FuzzStats> {
  return { ...stats, good: { acked: good.acked.size, consumed: good.consumed.size, errors: good.errors } };
}
