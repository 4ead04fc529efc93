// KafkaJS's consumer over a BrokerPort (the embedded Broker, or a broker over the wire). Main thread. Two loops share the member's state:
//
//   membership (member_driver.ts)            records (#runLoop below)
//   MemberState + one timer: join, sync,     pollCompleted → fetch every ready partition →
//   heartbeat on their own clock, session    hand batches to eachMessage/eachBatch (up to
//   and max.poll.interval expiry, listeners  partitionsConsumedConcurrently at once) → auto commit
//
// The membership tells the loop which partitions it owns through the rebalance callbacks; the loop
// tells the membership it is alive through pollCompleted, once per round. A handler that runs past
// maxPollInterval therefore makes the member leave (its partitions are lost) and rejoin when the
// handler returns, as Java's consumer does.
//
// Per partition the loop keeps three offsets: `position` (next to fetch), `resolved` (next to
// commit: the record after the last one handled) and `committed` (what the group has). A seek,
// a revocation or a pause bumps the partition's `epoch`, which makes the batch in hand stale: no
// further record of it is delivered.

import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { assignorFor } from '../../wasm/assignors.js'; // TS or the WASM kernel by group size
import type { PartitionAssignor } from '../../core/assignors/assignor.js';
import type { TopicPartitions as CoreTopicPartitions } from '../../core/assignors/consumer_protocol.js';
import type { MemberEvent } from '../../core/client/member_effects.js';
import type { OffsetCommitTopic } from '../../core/group/group_api.js';
import { MemberState } from '../../core/client/member_state.js';
import { ErrorCode, LanesError, errorCodeName, isLanesError } from '../../core/errors.js';
import { earliestTimestamp, latestTimestamp, type BrokerPort, type PortFetchResult } from './broker_port.js';
import { toGroupDescription } from './group_description.js';
import type { ClientContext } from './lanes.js';
import { MemberDriver } from './member_driver.js';
import { decodeFetched, type FetchedRecords } from './messages.js';
import { Producer } from './producer.js';
import type {
  Batch,
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  EachBatchPayload,
  InstrumentationEvent,
  KafkaMessage,
  Offsets,
  PartitionLag,
  RemoveInstrumentationEventListener,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types.js';

/** KafkaJS's consumer.events, plus Lanes' own (GROUP_LEAVE, PARTITIONS_*, LAG, DEAD_LETTER, COMMIT_OFFSETS_FAILED). */
export const consumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  GROUP_LEAVE: 'consumer.group_leave',
  PARTITIONS_ASSIGNED: 'consumer.partitions_assigned',
  PARTITIONS_REVOKED: 'consumer.partitions_revoked',
  PARTITIONS_LOST: 'consumer.partitions_lost',
  COMMIT_OFFSETS_FAILED: 'consumer.commit_offsets_failed',
  LAG: 'consumer.lag',
  DEAD_LETTER: 'consumer.dead_letter',
} as const;

export type ConsumerEventName = (typeof consumerEvents)[keyof typeof consumerEvents];

/** Headers a dead-lettered record carries, besides its own. */
export const deadLetterHeaders = {
  topic: 'lanes.dlq.topic',
  partition: 'lanes.dlq.partition',
  offset: 'lanes.dlq.offset',
  error: 'lanes.dlq.error',
  attempts: 'lanes.dlq.attempts',
} as const;

const defaults = {
  partitionAssigners: ['cooperative-sticky'],
  sessionTimeout: 30_000,
  heartbeatInterval: 3_000,
  maxPollInterval: 300_000,
  metadataMaxAge: 1_000,
  maxBytesPerPartition: 1024 * 1024,
  maxWaitTimeInMs: 1_000,
  initialRetryTime: 300,
  lagInterval: 5_000,
  deadLetterAttempts: 3,
  deadLetterBackoffMs: 100,
} as const;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  position: number | null;
  resolved: number | null;
  committed: number | null;
  epoch: number;
  revoked: boolean;
  /** A handler failed without a dead-letter topic: deliver again from `position` after this time. */
  retryAtMs: number;
  processing: Promise<void> | null;
}

interface Work {
  readonly state: PartitionState;
  readonly epoch: number;
  readonly startOffset: number;
  readonly nextOffset: number;
  readonly highWatermark: number;
  /** Messages are made as they are handed out. */
  readonly records: FetchedRecords;
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function listOf(partitions: readonly CoreTopicPartitions[]): TopicPartitions[] {
  return partitions.map((each) => ({ topic: each.topic, partitions: [...each.partitions] }));
}

function resolveAssignor(entry: string | PartitionAssignor): PartitionAssignor {
  if (typeof entry === 'string') {
    const assignor = assignorFor(entry);
    if (assignor === undefined) throw new RangeError(`partitionAssigners: no assignor named ${entry}`);
    return assignor;
  }
  if (typeof entry === 'function') {
    throw new RangeError("partitionAssigners takes protocol names ('cooperative-sticky', 'range', 'roundrobin', 'sticky', 'RoundRobinAssigner') or PartitionAssignor objects, not KafkaJS assigner factories");
  }
  return entry;
}

export class Consumer {
  readonly events = consumerEvents;
  readonly #context: ClientContext;
  readonly #port: BrokerPort;
  readonly #groupId: string;
  readonly #config: ConsumerConfig;
  readonly #assignors: PartitionAssignor[];
  readonly #emitter = new EventEmitter();
  #eventId = 0;

  readonly #subscriptions: { topic: string | RegExp; fromBeginning: boolean }[] = [];
  #connected = false;
  #running = false;
  #run: ConsumerRunConfig = {};
  #driver: MemberDriver | null = null;
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #memberStopped: (() => void) | null = null;
  #memberStoppedPromise: Promise<void> = Promise.resolve();

  readonly #partitions = new Map<string, PartitionState>();
  readonly #pendingSeeks = new Map<string, number>();
  readonly #pausedTopics = new Set<string>();
  readonly #pausedPartitions = new Set<string>();
  #wakeUp: () => void = () => {};
  #wakePromise: Promise<void> = Promise.resolve();

  #uncommittedCount = 0;
  #lastCommitMs = 0;
  #metadataSignature = '';
  #metadataRefreshing = false;
  #metadataRefreshAgain = false;
  #metadataTimer: NodeJS.Timeout | null = null;
  #lagTimer: NodeJS.Timeout | null = null;
  #unwatchTopics: (() => void) | null = null;
  #deadLetterProducer: Producer | null = null;

  constructor(context: ClientContext, config: ConsumerConfig) {
    if (config === undefined || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new RangeError('consumer({ groupId }) needs a non-empty groupId');
    }
    this.#context = context;
    this.#port = context.openPort();
    this.#groupId = config.groupId;
    this.#config = config;
    this.#assignors = (config.partitionAssigners ?? [...defaults.partitionAssigners]).map(resolveAssignor);
    this.#emitter.setMaxListeners(0);
    this.#resetWake();
  }

  // ─── KafkaJS surface ───────────────────────────────────────────────────────────────────────

  async connect(): Promise<void> {
    if (this.#connected) return;
    this.#connected = true;
    this.#context.track(this);
    this.#emit(consumerEvents.CONNECT, {});
  }

  async disconnect(): Promise<void> {
    await this.stop();
    if (!this.#connected) return;
    this.#connected = false;
    await this.#deadLetterProducer?.disconnect();
    this.#deadLetterProducer = null;
    this.#context.untrack(this);
    await this.#port.close();
    this.#emit(consumerEvents.DISCONNECT, {});
  }

  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    if (this.#running) throw new LanesError(ErrorCode.INVALID_REQUEST, 'cannot subscribe while the consumer is running');
    const topics = 'topics' in subscription ? subscription.topics : [subscription.topic];
    for (const topic of topics) {
      if (typeof topic !== 'string' && !(topic instanceof RegExp)) throw new TypeError('subscribe: topics are strings or RegExps');
      this.#subscriptions.push({ topic, fromBeginning: subscription.fromBeginning === true });
    }
  }

  /** Joins the group and starts handing records to the handler; resolves once the loop runs. */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (!this.#connected) throw new LanesError(ErrorCode.NETWORK_EXCEPTION, 'the consumer is not connected: call connect() first');
    if (this.#running) throw new LanesError(ErrorCode.INVALID_REQUEST, 'the consumer is already running');
    if (this.#subscriptions.length === 0) throw new LanesError(ErrorCode.INVALID_REQUEST, 'subscribe to at least one topic before run()');
    if ((config.eachMessage === undefined) === (config.eachBatch === undefined)) throw new TypeError('run() needs exactly one of eachMessage and eachBatch');
    const concurrency = config.partitionsConsumedConcurrently ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`partitionsConsumedConcurrently must be a positive integer, got ${concurrency}`);
    if (config.deadLetter !== undefined && config.eachMessage === undefined) throw new TypeError('deadLetter works with eachMessage only');
    if (this.#stopping !== null) await this.#stopping;
    // The leader assigns from metadata, so the member knows the topics before it joins.
    const partitionsPerTopic = await this.#port.partitionCounts();
    this.#run = config;

    const member = new MemberState({
      groupId: this.#groupId,
      groupInstanceId: this.#config.groupInstanceId ?? null,
      sessionTimeoutMs: this.#config.sessionTimeout ?? defaults.sessionTimeout,
      rebalanceTimeoutMs: this.#config.rebalanceTimeout,
      heartbeatIntervalMs: this.#config.heartbeatInterval ?? defaults.heartbeatInterval,
      maxPollIntervalMs: this.#config.maxPollInterval ?? defaults.maxPollInterval,
      assignors: this.#assignors,
    });
    this.#memberStoppedPromise = new Promise((resolve) => (this.#memberStopped = resolve));
    const driver = new MemberDriver(
      member,
      this.#port,
      {
        assigned: (partitions) => this.#onAssigned(partitions),
        revoked: (partitions) => this.#onRevoked(partitions),
        lost: (partitions) => this.#onLost(partitions),
        event: (event) => this.#onMemberEvent(event),
      },
      this.#context.clientId,
      this.#context.logger,
    );
    this.#driver = driver;
    this.#running = true;
    this.#lastCommitMs = Date.now();
    this.#uncommittedCount = 0;
    this.#metadataSignature = signatureOf(partitionsPerTopic);
    driver.input((nowMs) => member.metadataChanged(partitionsPerTopic, nowMs));
    driver.input((nowMs) => member.start({ topics: this.#subscriptions.map((each) => each.topic) }, nowMs));
    // In-process, changes made here are announced at once; the poll (Kafka's metadata.max.age.ms)
    // catches everything else, and is all there is over the wire.
    this.#unwatchTopics = this.#port.onTopicsChanged(() => this.#refreshMetadata());
    this.#metadataTimer = setInterval(() => this.#refreshMetadata(), this.#config.metadataMaxAge ?? defaults.metadataMaxAge);
    this.#metadataTimer.unref();
    const lagInterval = this.#config.lagInterval ?? defaults.lagInterval;
    if (lagInterval > 0) {
      this.#lagTimer = setInterval(() => this.#emitLag(), lagInterval);
      this.#lagTimer.unref();
    }
    this.#loop = this.#runLoop().catch((error: unknown) => {
      this.#context.logger.error({ err: error }, 'the consumer loop failed');
      this.#emit(consumerEvents.CRASH, { error, groupId: this.#groupId, restart: false });
      this.#running = false;
    });
  }

  /** Stops fetching, waits for handlers in progress, commits (autoCommit), and leaves the group. */
  stop(): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    if (this.#driver === null) return Promise.resolve();
    this.#stopping = this.#stop().finally(() => (this.#stopping = null));
    return this.#stopping;
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const outcome = await this.#commitExplicit(offsets);
    if (outcome !== null) throw outcome;
  }

  /**
   * Java's commitAsync: sends the commit and returns at once; the callback hears how it went.
   * Without offsets, commits what the handlers have resolved.
   */
  commitOffsetsAsync(offsets?: TopicPartitionOffsetAndMetadata[], callback?: (error: LanesError | null, offsets: TopicPartitionOffset[]) => void): void {
    const chosen = offsets ?? this.#resolvedOffsets([...this.#partitions.values()]);
    this.#commitExplicit(chosen).then(
      (error) => {
        if (error !== null) this.#context.logger.warn({ err: error }, 'an asynchronous commit failed');
        callback?.(error, chosen.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      },
      (error: unknown) => callback?.(isLanesError(error) ? error : new LanesError(ErrorCode.UNKNOWN_SERVER_ERROR, String(error)), chosen),
    );
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    const target = Number(offset);
    if (!Number.isSafeInteger(target) || target < 0) throw new RangeError(`seek: offset must be a non-negative integer, got ${offset}`);
    const state = this.#partitions.get(keyOf(topic, partition));
    if (state === undefined || state.revoked) {
      this.#pendingSeeks.set(keyOf(topic, partition), target);
      return;
    }
    state.epoch++;
    state.position = target;
    state.resolved = target;
    state.retryAtMs = 0;
    this.#wake();
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) this.#pausedTopics.add(topic);
      else for (const partition of partitions) this.#pausedPartitions.add(keyOf(topic, partition));
    }
    this.#wake();
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) {
        this.#pausedTopics.delete(topic);
        for (const key of [...this.#pausedPartitions]) if (key.startsWith(`${topic}\u0000`)) this.#pausedPartitions.delete(key);
        continue;
      }
      if (this.#pausedTopics.delete(topic)) {
        // The whole topic was paused: keep its other assigned partitions paused.
        for (const state of this.#partitions.values()) if (state.topic === topic) this.#pausedPartitions.add(keyOf(topic, state.partition));
      }
      for (const partition of partitions) this.#pausedPartitions.delete(keyOf(topic, partition));
    }
    this.#wake();
  }

  /** The assigned partitions that are paused. */
  paused(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const state of this.#partitions.values()) {
      if (state.revoked || !this.#isPaused(state)) continue;
      byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition].sort((a, b) => a - b));
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** The partitions this member owns now (what onPartitionsAssigned handed out and nothing took back). */
  assignment(): TopicPartitions[] {
    return this.#driver === null ? [] : listOf(this.#driver.member.ownedPartitions());
  }

  /** Per owned partition: the group's committed offset, the high watermark, and the difference. */
  async lag(): Promise<PartitionLag[]> {
    const owned = [...this.#partitions.values()].filter((state) => !state.revoked);
    if (owned.length === 0) return [];
    const byTopic = new Map<string, number[]>();
    for (const state of owned) byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition]);
    const [fetched, ...offsets] = await Promise.all([
      this.#port.offsetFetch({ groupId: this.#groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }),
      ...[...byTopic.keys()].map((topic) => this.#port.topicOffsets(topic)),
    ]);
    const ends = new Map<string, { logStartOffset: number; highWatermark: number }>();
    [...byTopic.keys()].forEach((topic, i) => {
      for (const partition of offsets[i] ?? []) ends.set(keyOf(topic, partition.partition), partition);
    });
    const committed = new Map<string, number>();
    for (const topic of fetched.topics) for (const partition of topic.partitions) committed.set(keyOf(topic.name, partition.partitionIndex), partition.committedOffset);
    const lags: PartitionLag[] = [];
    for (const state of owned) {
      const described = ends.get(keyOf(state.topic, state.partition));
      if (described === undefined) continue;
      const committedOffset = committed.get(keyOf(state.topic, state.partition)) ?? -1;
      const from = committedOffset >= 0 ? committedOffset : described.logStartOffset;
      lags.push({ topic: state.topic, partition: state.partition, committedOffset, highWatermark: described.highWatermark, lag: Math.max(0, described.highWatermark - from) });
    }
    return lags.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  async describeGroup() {
    const [group] = await this.#port.describeGroups([this.#groupId]);
    return toGroupDescription(group);
  }

  on<T = unknown>(eventName: ConsumerEventName, listener: (event: InstrumentationEvent<T>) => void): RemoveInstrumentationEventListener {
    if (!Object.values(consumerEvents).includes(eventName)) throw new RangeError(`unknown consumer event ${String(eventName)}`);
    this.#emitter.on(eventName, listener);
    return () => this.#emitter.off(eventName, listener);
  }

  logger() {
    return this.#context.logger;
  }

  // ─── Membership callbacks (run in order by the driver) ─────────────────────────────────────

  async #onAssigned(partitions: readonly CoreTopicPartitions[]): Promise<void> {
    const list = listOf(partitions);
    if (list.length > 0) await this.#run.onPartitionsAssigned?.(list);
    for (const { topic, partitions: indexes } of list) {
      for (const partition of indexes) {
        const key = keyOf(topic, partition);
        const sought = this.#pendingSeeks.get(key);
        this.#pendingSeeks.delete(key);
        this.#partitions.set(key, {
          topic,
          partition,
          position: sought ?? null,
          resolved: sought ?? null,
          committed: null,
          epoch: 0,
          revoked: false,
          retryAtMs: 0,
          processing: null,
        });
      }
    }
    if (list.length > 0) this.#emit(consumerEvents.PARTITIONS_ASSIGNED, { groupId: this.#groupId, partitions: list });
    this.#wake();
  }

  async #onRevoked(partitions: readonly CoreTopicPartitions[]): Promise<void> {
    const list = listOf(partitions);
    const states = this.#statesOf(list);
    for (const state of states) {
      state.revoked = true;
      state.epoch++;
    }
    this.#wake();
    // The records in hand finish first (the handler stops after the current one), then the
    // offsets they reached are committed, so the next owner starts where this one stopped.
    await Promise.all(states.map((state) => state.processing));
    if (this.#run.autoCommit !== false) await this.#commitResolved(states);
    await this.#run.onPartitionsRevoked?.(list);
    for (const state of states) this.#partitions.delete(keyOf(state.topic, state.partition));
    this.#emit(consumerEvents.PARTITIONS_REVOKED, { groupId: this.#groupId, partitions: list });
  }

  async #onLost(partitions: readonly CoreTopicPartitions[]): Promise<void> {
    const list = listOf(partitions);
    const states = this.#statesOf(list);
    for (const state of states) {
      state.revoked = true;
      state.epoch++;
      this.#partitions.delete(keyOf(state.topic, state.partition));
    }
    this.#wake();
    await this.#run.onPartitionsLost?.(list);
    this.#emit(consumerEvents.PARTITIONS_LOST, { groupId: this.#groupId, partitions: list });
  }

  #onMemberEvent(event: MemberEvent): void {
    const member = this.#driver?.member;
    switch (event.type) {
      case 'GROUP_JOIN': {
        const memberAssignment: Record<string, number[]> = {};
        for (const { topic, partitions } of event.memberAssignment) memberAssignment[topic] = [...partitions];
        this.#emit(consumerEvents.GROUP_JOIN, {
          groupId: this.#groupId,
          memberId: event.memberId,
          leaderId: event.leaderId,
          isLeader: event.isLeader,
          groupProtocol: event.groupProtocol,
          generationId: event.generationId,
          memberAssignment,
        });
        break;
      }
      case 'REBALANCING':
        this.#emit(consumerEvents.REBALANCING, { groupId: this.#groupId, memberId: event.memberId, reason: event.reason });
        break;
      case 'HEARTBEAT':
        this.#emit(consumerEvents.HEARTBEAT, { groupId: this.#groupId, memberId: event.memberId, groupGenerationId: event.generationId });
        break;
      case 'GROUP_LEAVE':
        this.#emit(consumerEvents.GROUP_LEAVE, { groupId: this.#groupId, memberId: event.memberId, reason: event.reason });
        break;
      case 'COORDINATOR_UNAVAILABLE':
        this.#context.logger.warn({ groupId: this.#groupId, error: errorCodeName(event.errorCode) }, 'the group coordinator is unavailable; retrying');
        break;
      case 'CRASH':
        this.#context.logger.error({ err: event.error, groupId: this.#groupId, memberId: member?.memberId }, 'the consumer group member failed');
        this.#emit(consumerEvents.CRASH, { error: event.error, groupId: this.#groupId, restart: false });
        this.#running = false;
        this.#wake();
        break;
      case 'STOP':
        this.#memberStopped?.();
        break;
    }
  }

  // ─── The record loop ───────────────────────────────────────────────────────────────────────

  async #runLoop(): Promise<void> {
    const driver = this.#driver!;
    const waitMsMax = Math.max(1, Math.min(this.#config.maxWaitTimeInMs ?? defaults.maxWaitTimeInMs, Math.floor((this.#config.maxPollInterval ?? defaults.maxPollInterval) / 2)));
    while (this.#running) {
      driver.input((nowMs) => driver.member.pollCompleted(nowMs));
      // Taken before the partitions are looked at: a wake-up from now on ends the wait below.
      const wake = this.#wakePromise;
      const nowMs = Date.now();
      const ready = [...this.#partitions.values()].filter((state) => !state.revoked && !this.#isPaused(state) && state.retryAtMs <= nowMs);
      if (ready.length === 0) {
        const retryAt = Math.min(...[...this.#partitions.values()].filter((state) => !state.revoked && state.retryAtMs > nowMs).map((state) => state.retryAtMs));
        await this.#idle(wake, Number.isFinite(retryAt) ? Math.min(waitMsMax, retryAt - nowMs) : waitMsMax);
        continue;
      }
      await Promise.all(ready.filter((state) => state.position === null).map((state) => this.#resolvePosition(state)));
      if (!this.#running) break;
      const fetchable = ready.filter((state) => state.position !== null && !state.revoked && state.retryAtMs <= Date.now());
      if (fetchable.length === 0) {
        await this.#idle(wake, 1);
        continue;
      }
      // One fetch for every ready partition; when none has records it long-polls (the broker
      // answers as soon as one gets some), or returns early when the membership, a seek or a
      // pause wakes the loop.
      const work = await this.#fetch(fetchable, waitMsMax, wake);
      if (work.length === 0) continue;
      await this.#process(work);
      await this.#autoCommitIfNecessary();
    }
  }

  async #idle(wake: Promise<void>, waitMs: number): Promise<void> {
    await Promise.race([wake, sleep(Math.max(1, waitMs), undefined, { ref: false })]);
  }

  #retryLater(state: PartitionState): void {
    state.retryAtMs = Date.now() + (this.#config.retry?.initialRetryTime ?? defaults.initialRetryTime);
  }

  /** Where a newly assigned partition starts: the group's committed offset, else earliest/latest. */
  async #resolvePosition(state: PartitionState): Promise<void> {
    const epoch = state.epoch;
    try {
      const fetched = await this.#port.offsetFetch({ groupId: this.#groupId, topics: [{ name: state.topic, partitionIndexes: [state.partition] }] });
      const committed = fetched.topics[0]?.partitions[0]?.committedOffset ?? -1;
      if (state.epoch !== epoch || state.position !== null) return;
      if (committed >= 0) {
        state.position = committed;
        state.committed = committed;
      } else {
        await this.#resetPosition(state);
      }
    } catch (error) {
      this.#context.logger.warn({ err: error, topic: state.topic, partition: state.partition }, 'could not fetch the committed offset');
      this.#retryLater(state);
    }
  }

  /** auto.offset.reset: earliest when the subscription said fromBeginning, else latest. */
  async #resetPosition(state: PartitionState): Promise<void> {
    const epoch = state.epoch;
    const fromBeginning = this.#subscriptions.some((each) => each.fromBeginning && (typeof each.topic === 'string' ? each.topic === state.topic : new RegExp(each.topic.source, each.topic.flags.replace(/[gy]/g, '')).test(state.topic)));
    const offset = await this.#port.listOffset(state.topic, state.partition, fromBeginning ? earliestTimestamp : latestTimestamp);
    if (state.epoch === epoch) state.position = offset;
  }

  /** Fetches the partitions and turns what came back into work; errors become retries or resets. */
  async #fetch(states: PartitionState[], waitMs: number, wake: Promise<void>): Promise<Work[]> {
    const asked = states.map((state) => ({ state, epoch: state.epoch, position: state.position! }));
    const maxBytes = this.#config.maxBytesPerPartition ?? defaults.maxBytesPerPartition;
    let results: PortFetchResult[];
    try {
      results = await this.#port.fetch(asked.map(({ state, position }) => ({ topic: state.topic, partition: state.partition, fetchOffset: position, maxBytes })), waitMs, wake);
    } catch (error) {
      this.#context.logger.warn({ err: error, groupId: this.#groupId }, 'fetch failed');
      for (const state of states) this.#retryLater(state);
      return [];
    }
    const work: Work[] = [];
    for (const [i, result] of results.entries()) {
      const { state, epoch, position } = asked[i];
      let decoded;
      try {
        if (result.errorCode !== ErrorCode.NONE) {
          await this.#fetchFailed(state, epoch, position, result.errorCode);
          continue;
        }
        decoded = decodeFetched(result.batches, position, { verifyCrc: this.#port.verifyFetchedCrc });
      } catch (error) {
        this.#context.logger.error({ err: error, topic: state.topic, partition: state.partition, offset: position }, 'fetched records could not be read; fetching again later');
        this.#retryLater(state);
        continue;
      } finally {
        result.release();
      }
      if (state.epoch !== epoch) continue;
      if (decoded.count === 0) {
        // Only control records (or nothing): step over them.
        state.position = decoded.nextOffset;
        continue;
      }
      work.push({ state, epoch, startOffset: position, nextOffset: decoded.nextOffset, highWatermark: result.highWatermark, records: decoded });
    }
    return work;
  }

  async #fetchFailed(state: PartitionState, epoch: number, position: number, errorCode: number): Promise<void> {
    if (state.epoch !== epoch) return;
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.#context.logger.warn({ topic: state.topic, partition: state.partition, offset: position }, 'offset out of range; resetting');
      try {
        await this.#resetPosition(state);
      } catch (error) {
        this.#context.logger.warn({ err: error, topic: state.topic, partition: state.partition }, 'could not reset the position');
        this.#retryLater(state);
      }
      return;
    }
    this.#context.logger.warn({ topic: state.topic, partition: state.partition, error: errorCodeName(errorCode) }, 'fetch failed');
    this.#retryLater(state);
  }

  async #process(work: Work[]): Promise<void> {
    const concurrency = this.#run.partitionsConsumedConcurrently ?? 1;
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const item = work[next++];
        await this.#processOne(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
  }

  async #processOne(work: Work): Promise<void> {
    const { state } = work;
    if (state.epoch !== work.epoch || state.revoked) return;
    let done!: () => void;
    state.processing = new Promise((resolve) => (done = resolve));
    const startedMs = Date.now();
    if (this.#emitter.listenerCount(consumerEvents.START_BATCH_PROCESS) > 0) this.#emit(consumerEvents.START_BATCH_PROCESS, { topic: state.topic, partition: state.partition, highWatermark: String(work.highWatermark), offsetLag: String(work.highWatermark - work.nextOffset), batchSize: work.records.count, firstOffset: String(work.records.offsetAt(0)), lastOffset: String(work.records.offsetAt(work.records.count - 1)) });
    try {
      if (this.#run.eachMessage !== undefined) await this.#eachMessage(work);
      else await this.#eachBatch(work);
    } finally {
      state.processing = null;
      done();
      this.#emit(consumerEvents.END_BATCH_PROCESS, { topic: state.topic, partition: state.partition, batchSize: work.records.count, duration: Date.now() - startedMs });
    }
  }

  /** No more records of this batch may be delivered: stopping, sought, revoked or paused. */
  #stale(work: Work): boolean {
    return !this.#running || work.state.epoch !== work.epoch || work.state.revoked || this.#isPaused(work.state);
  }

  async #eachMessage(work: Work): Promise<void> {
    const { state, records } = work;
    const eachMessage = this.#run.eachMessage!;
    // One pair of payload functions per batch, not per record.
    const heartbeat = async (): Promise<void> => {};
    const pause = () => this.#pauseOne(state.topic, state.partition);
    for (let i = 0; i < records.count; i++) {
      const offset = records.offsetAt(i);
      if (this.#stale(work)) {
        // Paused or stopping: the next fetch starts at the first record not handed out. After a
        // seek or a revocation the position is no longer this batch's to set.
        if (state.epoch === work.epoch) state.position = offset;
        return;
      }
      // The first attempt inline: a handler that returns no promise costs no await, and one
      // that does costs one; retries and the dead-letter topic are the slow path.
      let failure: { error: unknown } | null = null;
      const message = records.messageAt(i);
      try {
        const result: unknown = eachMessage({ topic: state.topic, partition: state.partition, message, heartbeat, pause });
        if (result !== undefined && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') await result;
      } catch (error) {
        failure = { error };
      }
      if (failure !== null && !(await this.#deliverAgain(work, message, offset, failure.error))) return;
      if (state.epoch !== work.epoch) return;
      state.resolved = offset + 1;
      state.position = offset + 1;
      this.#uncommittedCount++;
    }
    if (state.epoch === work.epoch) state.position = work.nextOffset;
  }

  /** After a failed first attempt: retries and the dead-letter topic; false: stop this batch. */
  async #deliverAgain(work: Work, message: KafkaMessage, offset: number, error: unknown): Promise<boolean> {
    const { state } = work;
    const deadLetter = this.#run.deadLetter;
    if (deadLetter === undefined) {
      this.#handlerFailed(state, offset, error);
      return false;
    }
    const attemptsMax = deadLetter.maxAttempts ?? defaults.deadLetterAttempts;
    if (attemptsMax <= 1) return this.#deadLetter(state, message, offset, error, 1);
    await sleep(deadLetter.backoffMs ?? defaults.deadLetterBackoffMs);
    if (this.#stale(work)) {
      if (state.epoch === work.epoch) state.position = offset;
      return false;
    }
    return this.#deliver(work, message, 2);
  }

  async #deadLetter(state: PartitionState, message: KafkaMessage, offset: number, error: unknown, attempts: number): Promise<boolean> {
    try {
      await this.#sendToDeadLetter(state, message, error, attempts);
    } catch (produceError) {
      this.#handlerFailed(state, offset, produceError);
      return false;
    }
    return true;
  }

  /** One record through eachMessage, with retries and the dead-letter topic; false: stop this batch. */
  async #deliver(work: Work, message: KafkaMessage, firstAttempt = 1): Promise<boolean> {
    const { state } = work;
    const deadLetter = this.#run.deadLetter;
    const attemptsMax = deadLetter?.maxAttempts ?? defaults.deadLetterAttempts;
    for (let attempt = firstAttempt; ; attempt++) {
      try {
        await this.#run.eachMessage!({
          topic: state.topic,
          partition: state.partition,
          message,
          heartbeat: async () => {},
          pause: () => this.#pauseOne(state.topic, state.partition),
        });
        return true;
      } catch (error) {
        if (deadLetter === undefined) {
          this.#handlerFailed(state, Number(message.offset), error);
          return false;
        }
        if (attempt < attemptsMax) {
          await sleep(deadLetter.backoffMs ?? defaults.deadLetterBackoffMs);
          if (this.#stale(work)) {
            if (state.epoch === work.epoch) state.position = Number(message.offset);
            return false;
          }
          continue;
        }
        try {
          await this.#sendToDeadLetter(state, message, error, attempt);
        } catch (produceError) {
          this.#handlerFailed(state, Number(message.offset), produceError);
          return false;
        }
        return true;
      }
    }
  }

  #handlerFailed(state: PartitionState, offset: number, error: unknown): void {
    this.#context.logger.error({ err: error, topic: state.topic, partition: state.partition, offset }, 'the handler failed; the record will be delivered again');
    this.#emit(consumerEvents.CRASH, { error, groupId: this.#groupId, restart: true });
    state.position = offset;
    state.retryAtMs = Date.now() + (this.#config.retry?.initialRetryTime ?? defaults.initialRetryTime);
  }

  async #sendToDeadLetter(state: PartitionState, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const configured = this.#run.deadLetter?.topic;
    const topic = typeof configured === 'function' ? configured(state.topic) : configured ?? `${state.topic}.dlq`;
    if (this.#deadLetterProducer === null) {
      this.#deadLetterProducer = new Producer(this.#context, {});
      await this.#deadLetterProducer.connect();
      this.#context.untrack(this.#deadLetterProducer);
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.#deadLetterProducer.send({
      topic,
      messages: [{
        key: message.key,
        value: message.value,
        timestamp: message.timestamp,
        headers: {
          ...message.headers,
          [deadLetterHeaders.topic]: state.topic,
          [deadLetterHeaders.partition]: String(state.partition),
          [deadLetterHeaders.offset]: message.offset,
          [deadLetterHeaders.error]: reason,
          [deadLetterHeaders.attempts]: String(attempts),
        },
      }],
    });
    this.#emit(consumerEvents.DEAD_LETTER, { topic: state.topic, partition: state.partition, offset: message.offset, deadLetterTopic: topic, error, attempts });
  }

  async #eachBatch(work: Work): Promise<void> {
    const { state } = work;
    const autoResolve = this.#run.eachBatchAutoResolve !== false;
    const messages = work.records.messages();
    const batch: Batch = {
      topic: state.topic,
      partition: state.partition,
      highWatermark: String(work.highWatermark),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => (messages.length === 0 ? null : messages[0].offset),
      lastOffset: () => (messages.length === 0 ? String(work.highWatermark - 1) : messages[messages.length - 1].offset),
      offsetLag: () => String(Math.max(0, work.highWatermark - 1 - Number(batch.lastOffset()))),
      offsetLagLow: () => String(Math.max(0, work.highWatermark - 1 - Number(batch.firstOffset() ?? work.highWatermark - 1))),
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset: (offset) => {
        if (state.epoch !== work.epoch) return;
        state.resolved = Number(offset) + 1;
        this.#uncommittedCount++;
      },
      heartbeat: async () => {},
      pause: () => this.#pauseOne(state.topic, state.partition),
      commitOffsetsIfNecessary: async (offsets?: Offsets) => {
        if (offsets !== undefined) {
          const explicit = offsets.topics.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition, offset })));
          const failure = await this.#commitExplicit(explicit);
          if (failure !== null) throw failure;
          return;
        }
        await this.#autoCommitIfNecessary();
      },
      uncommittedOffsets: () => offsetsOf(this.#resolvedOffsets([...this.#partitions.values()])),
      isRunning: () => this.#running,
      isStale: () => this.#stale(work),
    };
    try {
      await this.#run.eachBatch!(payload);
    } catch (error) {
      if (state.epoch === work.epoch) this.#handlerFailed(state, Math.max(work.startOffset, state.resolved ?? work.startOffset), error);
      return;
    }
    if (state.epoch !== work.epoch) return;
    if (autoResolve) {
      state.resolved = work.nextOffset;
      this.#uncommittedCount += messages.length;
      state.position = work.nextOffset;
    } else {
      state.position = Math.max(work.startOffset, state.resolved ?? work.startOffset);
    }
  }

  #pauseOne(topic: string, partition: number): () => void {
    this.pause([{ topic, partitions: [partition] }]);
    return () => this.resume([{ topic, partitions: [partition] }]);
  }

  #isPaused(state: PartitionState): boolean {
    if (this.#pausedTopics.size === 0 && this.#pausedPartitions.size === 0) return false;
    return this.#pausedTopics.has(state.topic) || this.#pausedPartitions.has(keyOf(state.topic, state.partition));
  }

  // ─── Commits ───────────────────────────────────────────────────────────────────────────────

  async #autoCommitIfNecessary(): Promise<void> {
    if (this.#run.autoCommit === false) return;
    const interval = this.#run.autoCommitInterval ?? null;
    const threshold = this.#run.autoCommitThreshold ?? null;
    const due =
      (interval === null && threshold === null) ||
      (threshold !== null && this.#uncommittedCount >= threshold) ||
      (interval !== null && Date.now() - this.#lastCommitMs >= interval);
    if (due) await this.#commitResolved([...this.#partitions.values()].filter((state) => !state.revoked));
  }

  #resolvedOffsets(states: PartitionState[]): TopicPartitionOffsetAndMetadata[] {
    return states
      .filter((state) => state.resolved !== null && state.resolved !== state.committed)
      .map((state) => ({ topic: state.topic, partition: state.partition, offset: String(state.resolved) }));
  }

  /** Commits what the handlers resolved; failures are reported, not thrown (the next commit retries). */
  async #commitResolved(states: PartitionState[]): Promise<void> {
    const offsets = this.#resolvedOffsets(states);
    if (offsets.length === 0) return;
    this.#lastCommitMs = Date.now();
    this.#uncommittedCount = 0;
    const failure = await this.#commitExplicit(offsets);
    if (failure !== null) this.#context.logger.warn({ err: failure, groupId: this.#groupId }, 'auto commit failed; the next commit retries');
  }

  /** Commits the given offsets; resolves with the failure, or null. */
  async #commitExplicit(offsets: TopicPartitionOffsetAndMetadata[]): Promise<LanesError | null> {
    const driver = this.#driver;
    if (driver === null) return new LanesError(ErrorCode.UNKNOWN_MEMBER_ID, 'the consumer is not in a group: call run() first');
    if (offsets.length === 0) return null;
    const byTopic = new Map<string, OffsetCommitTopic['partitions'][number][]>();
    for (const { topic, partition, offset, metadata } of offsets) {
      const committedOffset = Number(offset);
      if (!Number.isSafeInteger(committedOffset)) throw new RangeError(`commit: offset ${offset} of ${topic}/${partition} is not an integer`);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partitionIndex: partition, committedOffset, committedLeaderEpoch: -1, committedMetadata: metadata ?? null }]);
    }
    const outcome = await driver.commit([...byTopic].map(([name, partitions]) => ({ name, partitions })));
    if (outcome.errorCode !== ErrorCode.NONE) {
      const error = new LanesError(outcome.errorCode, `offset commit for group ${this.#groupId} failed`);
      this.#emit(consumerEvents.COMMIT_OFFSETS_FAILED, { groupId: this.#groupId, error, topics: offsetsOf(offsets).topics });
      return error;
    }
    for (const { topic, partition, offset } of offsets) {
      const state = this.#partitions.get(keyOf(topic, partition));
      if (state !== undefined) state.committed = Number(offset);
    }
    const member = driver.member;
    this.#emit(consumerEvents.COMMIT_OFFSETS, { groupId: this.#groupId, memberId: member.memberId, groupGenerationId: member.generationId, topics: offsetsOf(offsets).topics });
    return null;
  }

  // ─── Stop, metadata, lag, events ──────────────────────────────────────────────────────────

  async #stop(): Promise<void> {
    const driver = this.#driver!;
    this.#running = false;
    this.#wake();
    await this.#loop;
    this.#loop = null;
    if (this.#run.autoCommit !== false) await this.#commitResolved([...this.#partitions.values()].filter((state) => !state.revoked));
    driver.input((nowMs) => driver.member.stop(nowMs));
    // A failed member (CRASH) has nothing to leave and never reports STOP.
    if (driver.member.phase !== 'failed' && !driver.closed) await this.#memberStoppedPromise;
    await driver.settled();
    driver.close();
    this.#driver = null;
    this.#unwatchTopics?.();
    this.#unwatchTopics = null;
    if (this.#metadataTimer !== null) clearInterval(this.#metadataTimer);
    if (this.#lagTimer !== null) clearInterval(this.#lagTimer);
    this.#metadataTimer = null;
    this.#lagTimer = null;
    this.#partitions.clear();
    this.#emit(consumerEvents.STOP, {});
  }

  /** Asks for every topic's partition count; a change the subscription cares about rebalances. */
  #refreshMetadata(): void {
    const driver = this.#driver;
    if (driver === null || !this.#running) return;
    if (this.#metadataRefreshing) {
      this.#metadataRefreshAgain = true;
      return;
    }
    this.#metadataRefreshing = true;
    this.#port
      .partitionCounts()
      .then(
        (partitionsPerTopic) => {
          if (this.#driver !== driver || !this.#running) return;
          const signature = signatureOf(partitionsPerTopic);
          if (signature === this.#metadataSignature) return;
          this.#metadataSignature = signature;
          driver.input((nowMs) => driver.member.metadataChanged(partitionsPerTopic, nowMs));
        },
        (error: unknown) => this.#context.logger.debug({ err: error }, 'metadata not refreshed'),
      )
      .finally(() => {
        this.#metadataRefreshing = false;
        if (this.#metadataRefreshAgain) {
          this.#metadataRefreshAgain = false;
          this.#refreshMetadata();
        }
      });
  }

  #emitLag(): void {
    if (this.#emitter.listenerCount(consumerEvents.LAG) === 0 || !this.#running) return;
    this.lag().then(
      (partitions) => this.#emit(consumerEvents.LAG, { groupId: this.#groupId, partitions }),
      (error: unknown) => this.#context.logger.debug({ err: error }, 'lag not measured'),
    );
  }

  #statesOf(list: TopicPartitions[]): PartitionState[] {
    const states: PartitionState[] = [];
    for (const { topic, partitions } of list) {
      for (const partition of partitions) {
        const state = this.#partitions.get(keyOf(topic, partition));
        if (state !== undefined) states.push(state);
      }
    }
    return states;
  }

  #emit(type: ConsumerEventName, payload: unknown): void {
    if (this.#emitter.listenerCount(type) === 0) return;
    const event: InstrumentationEvent<unknown> = { id: this.#eventId++, type, timestamp: Date.now(), payload };
    try {
      this.#emitter.emit(type, event);
    } catch (error) {
      this.#context.logger.error({ err: error, event: type }, 'an instrumentation listener threw');
    }
  }

  #resetWake(): void {
    this.#wakePromise = new Promise((resolve) => (this.#wakeUp = resolve));
  }

  #wake(): void {
    const wakeUp = this.#wakeUp;
    this.#resetWake();
    wakeUp();
  }
}

function signatureOf(partitionsPerTopic: ReadonlyMap<string, number>): string {
  return [...partitionsPerTopic].map(([topic, count]) => `${topic}:${count}`).sort().join('\u0000');
}

function offsetsOf(offsets: readonly TopicPartitionOffset[]): Offsets {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset }]);
  return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
}
