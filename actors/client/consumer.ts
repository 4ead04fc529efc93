// KafkaJS's consumer over a BrokerPort (the embedded Broker, or a broker over the wire). Main
// thread. Two loops share the member's state:
//
//   membership (member_driver.ts)            records (consumer_fetch_loop.ts)
//   MemberState + one timer: join, sync,     pollCompleted → fetch every ready partition →
//   heartbeat on their own clock, session    hand batches to eachMessage/eachBatch (up to
//   and max.poll.interval expiry, listeners  partitionsConsumedConcurrently at once) → auto commit
//   (groupProtocol 'consumer': ConsumerMemberState, KIP-848's heartbeats and reconciliation)
//
// The membership tells the loop which partitions it owns through the rebalance callbacks (below);
// the loop tells the membership it is alive through pollCompleted, once per round. A handler that
// runs past maxPollInterval therefore makes the member leave (its partitions are lost) and rejoin
// when the handler returns, as Java's consumer does.
//
// This class is the public surface and the membership callbacks; the rest is split by concern:
//   consumer_partitions.ts  per-partition offsets and epochs, seek/pause/resume, the loop's wake-up
//   consumer_fetch_loop.ts  the record loop: positions, fetch, errors
//   consumer_delivery.ts    eachMessage/eachBatch, retries, the dead-letter topic
//   consumer_commits.ts     auto, resolved and explicit commits
//   consumer_events.ts      instrumentation events and their emitter
//   consumer_lag.ts         lag() per owned partition

import { assignorFor } from '../../wasm/assignors.js'; // TS or the WASM kernel by group size
import type { PartitionAssignor } from '../../core/assignors/assignor.js';
import type { TopicPartitions as CoreTopicPartitions } from '../../core/assignors/consumer_protocol.js';
import type { MemberEvent } from '../../core/client/member_effects.js';
import { MemberState } from '../../core/client/member_state.js';
import { ConsumerMemberState } from '../../core/client/consumer_member_state.js';
import { randomUUID } from 'node:crypto';
import { ErrorCode, LanesError, errorCodeName, isLanesError } from '../../core/errors.js';
import type { BrokerPort } from './broker_port.js';
import { OffsetCommitter } from './consumer_commits.js';
import { RecordDelivery } from './consumer_delivery.js';
import { consumerEvents, ConsumerEmitter, emitMemberEvent, type ConsumerEventName } from './consumer_events.js';
import { partitionLags } from './consumer_lag.js';
import { runFetchLoop } from './consumer_fetch_loop.js';
import { ConsumerPartitions } from './consumer_partitions.js';
import { toGroupDescription } from './group_description.js';
import type { ClientContext } from './lanes.js';
import { MemberDriver, type GroupMemberState } from './member_driver.js';
import { clientRetrySchedule } from './retry.js';
import type {
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  InstrumentationEvent,
  PartitionLag,
  RemoveInstrumentationEventListener,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types.js';

export { consumerEvents, type ConsumerEventName } from './consumer_events.js';
export { deadLetterHeaders } from './consumer_delivery.js';

const defaults = {
  partitionAssigners: ['cooperative-sticky'],
  sessionTimeout: 30_000,
  heartbeatInterval: 3_000,
  maxPollInterval: 300_000,
  metadataMaxAge: 1_000,
  maxBytesPerPartition: 1024 * 1024,
  maxWaitTimeInMs: 1_000,
  lagInterval: 5_000,
} as const;

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
  readonly #emitter: ConsumerEmitter;
  readonly #partitions: ConsumerPartitions;
  readonly #committer: OffsetCommitter;
  readonly #delivery: RecordDelivery;

  readonly #subscriptions: { topic: string | RegExp; fromBeginning: boolean }[] = [];
  #connected = false;
  #running = false;
  #run: ConsumerRunConfig = {};
  #driver: MemberDriver | null = null;
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  #metadataSignature = '';
  #metadataRefreshing = false;
  #metadataRefreshAgain = false;
  #metadataTimer: NodeJS.Timeout | null = null;
  #lagTimer: NodeJS.Timeout | null = null;
  #unwatchTopics: (() => void) | null = null;
  /** When the member began its current join (start or REBALANCING), for GROUP_JOIN's duration. */
  #joinStartedMs: number | null = null;

  constructor(context: ClientContext, config: ConsumerConfig) {
    if (config === undefined || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new RangeError('consumer({ groupId }) needs a non-empty groupId');
    }
    this.#context = context;
    this.#groupId = config.groupId;
    this.#config = config;
    checkGroupProtocol(config);
    this.#assignors = (config.partitionAssigners ?? [...defaults.partitionAssigners]).map(resolveAssignor);
    this.#emitter = new ConsumerEmitter(context.logger);
    this.#port = context.openPort(this.#emitter.requestObserver(consumerEvents));
    const retry = clientRetrySchedule(context.retry, config.retry);
    this.#partitions = new ConsumerPartitions(retry.initialRetryTime);
    const runConfig = () => this.#run;
    this.#committer = new OffsetCommitter({
      groupId: this.#groupId,
      logger: context.logger,
      emitter: this.#emitter,
      partitions: this.#partitions,
      driver: () => this.#driver,
      runConfig,
    });
    this.#delivery = new RecordDelivery({
      groupId: this.#groupId,
      context,
      emitter: this.#emitter,
      partitions: this.#partitions,
      committer: this.#committer,
      runConfig,
      running: () => this.#running,
      pauseOne: (topic, partition) => this.#pauseOne(topic, partition),
      retry,
      restartOnFailure: config.retry?.restartOnFailure ?? context.retry?.restartOnFailure,
      crashed: () => void this.stop(),
    });
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
    await this.#delivery.close();
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

    const member = this.#newMember();
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
    this.#joinStartedMs = Date.now();
    this.#committer.reset();
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
    const waitMsMax = Math.max(1, Math.min(this.#config.maxWaitTimeInMs ?? defaults.maxWaitTimeInMs, Math.floor((this.#config.maxPollInterval ?? defaults.maxPollInterval) / 2)));
    this.#loop = runFetchLoop(driver, {
      groupId: this.#groupId,
      port: this.#port,
      logger: this.#context.logger,
      partitions: this.#partitions,
      delivery: this.#delivery,
      committer: this.#committer,
      fromBeginning: (topic) => this.#fromBeginning(topic),
      running: () => this.#running,
      maxBytesPerPartition: this.#config.maxBytesPerPartition ?? defaults.maxBytesPerPartition,
      waitMsMax,
      isolation: this.#config.readUncommitted === true ? 'read_uncommitted' : 'read_committed',
    }).catch((error: unknown) => {
      this.#context.logger.error({ err: error }, 'the consumer loop failed');
      this.#emit(consumerEvents.CRASH, { error, groupId: this.#groupId, restart: false });
      this.#running = false;
    });
  }

  #newMember(): GroupMemberState {
    const config = this.#config;
    if (config.groupProtocol === 'consumer') {
      return new ConsumerMemberState({
        groupId: this.#groupId,
        // KIP-1082: the member names itself, once per run.
        memberId: randomUUID(),
        groupInstanceId: config.groupInstanceId ?? null,
        rebalanceTimeoutMs: config.rebalanceTimeout,
        maxPollIntervalMs: config.maxPollInterval ?? defaults.maxPollInterval,
        serverAssignor: config.groupRemoteAssignor ?? null,
      });
    }
    return new MemberState({
      groupId: this.#groupId,
      groupInstanceId: config.groupInstanceId ?? null,
      sessionTimeoutMs: config.sessionTimeout ?? defaults.sessionTimeout,
      rebalanceTimeoutMs: config.rebalanceTimeout,
      heartbeatIntervalMs: config.heartbeatInterval ?? defaults.heartbeatInterval,
      maxPollIntervalMs: config.maxPollInterval ?? defaults.maxPollInterval,
      assignors: this.#assignors,
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
    const outcome = await this.#committer.commitExplicit(offsets);
    if (outcome !== null) throw outcome;
  }

  /**
   * Java's commitAsync: sends the commit and returns at once; the callback hears how it went.
   * Without offsets, commits what the handlers have resolved.
   */
  commitOffsetsAsync(offsets?: TopicPartitionOffsetAndMetadata[], callback?: (error: LanesError | null, offsets: TopicPartitionOffset[]) => void): void {
    const chosen = offsets ?? this.#committer.resolvedOffsets(this.#partitions.all());
    this.#committer.commitExplicit(chosen).then(
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
    this.#partitions.seek(topic, partition, target);
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.#partitions.pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.#partitions.resume(topics);
  }

  /** The assigned partitions that are paused. */
  paused(): TopicPartitions[] {
    return this.#partitions.paused();
  }

  /** The partitions this member owns now (what onPartitionsAssigned handed out and nothing took back). */
  assignment(): TopicPartitions[] {
    return this.#driver === null ? [] : listOf(this.#driver.member.ownedPartitions());
  }

  /** Per owned partition: the group's committed offset, the high watermark, and the difference. */
  lag(): Promise<PartitionLag[]> {
    return partitionLags(this.#port, this.#groupId, this.#partitions.owned());
  }

  async describeGroup() {
    const [group] = await this.#port.describeGroups([this.#groupId]);
    return toGroupDescription(group);
  }

  on<T = unknown>(eventName: ConsumerEventName, listener: (event: InstrumentationEvent<T>) => void): RemoveInstrumentationEventListener {
    return this.#emitter.on(eventName, listener);
  }

  logger() {
    return this.#context.logger;
  }

  // ─── Membership callbacks (run in order by the driver) ─────────────────────────────────────

  async #onAssigned(partitions: readonly CoreTopicPartitions[]): Promise<void> {
    const list = listOf(partitions);
    if (list.length > 0) await this.#run.onPartitionsAssigned?.(list);
    this.#partitions.assign(list);
    if (list.length > 0) this.#emit(consumerEvents.PARTITIONS_ASSIGNED, { groupId: this.#groupId, partitions: list });
  }

  async #onRevoked(partitions: readonly CoreTopicPartitions[]): Promise<void> {
    const list = listOf(partitions);
    const states = this.#partitions.statesOf(list);
    this.#partitions.revoke(states);
    // The records in hand finish first (the handler stops after the current one), then the
    // offsets they reached are committed, so the next owner starts where this one stopped.
    await Promise.all(states.map((state) => state.processing));
    if (this.#run.autoCommit !== false) await this.#committer.commitResolved(states);
    await this.#run.onPartitionsRevoked?.(list);
    for (const state of states) this.#partitions.remove(state);
    this.#emit(consumerEvents.PARTITIONS_REVOKED, { groupId: this.#groupId, partitions: list });
  }

  async #onLost(partitions: readonly CoreTopicPartitions[]): Promise<void> {
    const list = listOf(partitions);
    const states = this.#partitions.statesOf(list);
    this.#partitions.revoke(states);
    for (const state of states) this.#partitions.remove(state);
    await this.#run.onPartitionsLost?.(list);
    this.#emit(consumerEvents.PARTITIONS_LOST, { groupId: this.#groupId, partitions: list });
  }

  #onMemberEvent(event: MemberEvent): void {
    const member = this.#driver?.member;
    switch (event.type) {
      case 'COORDINATOR_UNAVAILABLE':
        this.#context.logger.warn({ groupId: this.#groupId, error: errorCodeName(event.errorCode) }, 'the group coordinator is unavailable; retrying');
        break;
      case 'CRASH':
        this.#context.logger.error({ err: event.error, groupId: this.#groupId, memberId: member?.memberId }, 'the consumer group member failed');
        this.#emit(consumerEvents.CRASH, { error: event.error, groupId: this.#groupId, restart: false });
        this.#running = false;
        this.#partitions.wake();
        break;
      case 'REBALANCING':
        this.#joinStartedMs ??= Date.now();
        emitMemberEvent(this.#emitter, this.#groupId, event, 0);
        break;
      case 'GROUP_JOIN': {
        const nowMs = Date.now();
        emitMemberEvent(this.#emitter, this.#groupId, event, nowMs - (this.#joinStartedMs ?? nowMs));
        this.#joinStartedMs = null;
        break;
      }
      default:
        emitMemberEvent(this.#emitter, this.#groupId, event, 0);
    }
  }

  /** auto.offset.reset for a topic: earliest when a subscription matching it said fromBeginning. */
  #fromBeginning(topic: string): boolean {
    return this.#subscriptions.some((each) => each.fromBeginning && (typeof each.topic === 'string' ? each.topic === topic : new RegExp(each.topic.source, each.topic.flags.replace(/[gy]/g, '')).test(topic)));
  }

  #pauseOne(topic: string, partition: number): () => void {
    this.pause([{ topic, partitions: [partition] }]);
    return () => this.resume([{ topic, partitions: [partition] }]);
  }

  // ─── Stop, metadata, lag, events ──────────────────────────────────────────────────────────

  async #stop(): Promise<void> {
    const driver = this.#driver!;
    this.#running = false;
    this.#partitions.wake();
    await this.#loop;
    this.#loop = null;
    if (this.#run.autoCommit !== false) await this.#committer.commitResolved(this.#partitions.owned());
    await driver.stop();
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
    if (!this.#emitter.listened(consumerEvents.LAG) || !this.#running) return;
    this.lag().then(
      (partitions) => this.#emit(consumerEvents.LAG, { groupId: this.#groupId, partitions }),
      (error: unknown) => this.#context.logger.debug({ err: error }, 'lag not measured'),
    );
  }

  #emit(type: ConsumerEventName, payload: unknown): void {
    this.#emitter.emit(type, payload);
  }
}

/** groupProtocol's value, and the options the consumer protocol leaves to the broker (Java refuses them too). */
function checkGroupProtocol(config: ConsumerConfig): void {
  const protocol = config.groupProtocol ?? 'classic';
  if (protocol !== 'classic' && protocol !== 'consumer') throw new RangeError(`groupProtocol must be 'classic' or 'consumer', got ${String(protocol)}`);
  if (protocol === 'classic') {
    if (config.groupRemoteAssignor !== undefined) throw new RangeError("groupRemoteAssignor needs groupProtocol: 'consumer'");
    return;
  }
  for (const option of ['partitionAssigners', 'sessionTimeout', 'heartbeatInterval'] as const) {
    if (config[option] !== undefined) throw new RangeError(`${option} is not used with groupProtocol: 'consumer' (the broker sets it; groupRemoteAssignor picks the assignor)`);
  }
}

function signatureOf(partitionsPerTopic: ReadonlyMap<string, number>): string {
  return [...partitionsPerTopic].map(([topic, count]) => `${topic}:${count}`).sort().join('\u0000');
}
