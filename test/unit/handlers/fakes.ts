// Fakes for handler unit tests: a broker whose partitions are arrays of batches, a group facade
// that records what it was asked, and a RequestContext builder.
import { ErrorCode, LanesError } from '../../../core/errors.js';
import type * as group from '../../../core/group/group_api.js';
import type { ActiveProducer } from '../../../core/log/log.js';
import type { TimestampAndOffset } from '../../../core/log/max_timestamp.js';
import { configOfOverrides, topicConfigNameOf } from '../../../core/handlers/topic_config.js';
import type { BrokerFacade, FetchOutcome, GroupFacade, IsolationLevel, LogDirView, ProduceOutcome, RequestContext, TopicConfigView, TopicView, TxnMarkerRequest, TxnMarkerResult } from '../../../core/handlers/handler.js';

const defaultConfig: TopicConfigView = { retentionMs: 604_800_000, retentionBytes: -1, segmentBytes: 1 << 20, segmentMs: 604_800_000, maxMessageBytes: 1 << 20 };

export class FakeBroker implements BrokerFacade {
  readonly topics = new Map<string, { topicId: Uint8Array; config: TopicConfigView; overrides: Record<string, string>; partitions: Uint8Array[][] }>();
  /** Kafka's defaults, except a 1 MiB segment (as a broker with log.segment.bytes set would have). */
  topicConfigDefaults: TopicConfigView = { ...defaultConfig };
  /** Topic ids are 1, 2, 3… in the last byte, in creation order: never zero, never reused. */
  private topicsCreated = 0;
  readonly produced: { topic: string; partition: number; bytes: number; acks: number | undefined }[] = [];
  readonly released: number[] = [];
  /** Resolvers of pending waitForData calls. */
  readonly waiting: { topic: string; partition: number; offset: number; timeoutMs: number; resolve: () => void }[] = [];
  /** Log start offsets moved by deleteRecords, by `topic-partition`. */
  readonly logStartOffsets = new Map<string, number>();
  /** What activeProducers answers, by `topic-partition`. */
  readonly producers = new Map<string, ActiveProducer[]>();
  /** Calls of deleteRecords and activeProducers, in order. */
  readonly logCalls: string[] = [];
  private fetches = 0;

  async createTopic(name: string, options: { partitions?: number; config?: Partial<TopicConfigView>; configs?: Readonly<Record<string, string>> } = {}): Promise<unknown> {
    if (this.topics.has(name)) throw new LanesError(ErrorCode.TOPIC_ALREADY_EXISTS, `${name} exists`);
    const overrides: Record<string, string> = { ...options.configs };
    for (const [field, value] of Object.entries(options.config ?? {})) overrides[topicConfigNameOf[field as keyof TopicConfigView]] = String(value);
    const topicId = new Uint8Array(16);
    topicId[15] = ++this.topicsCreated;
    this.topics.set(name, { topicId, config: { ...this.topicConfigDefaults, ...configOfOverrides(overrides) }, overrides, partitions: Array.from({ length: options.partitions ?? 1 }, () => []) });
    return {};
  }

  readonly altered: { name: string; overrides: Readonly<Record<string, string>> }[] = [];

  async alterTopicConfigs(name: string, overrides: Readonly<Record<string, string>>): Promise<void> {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${name} unknown`);
    this.altered.push({ name, overrides });
    topic.overrides = { ...overrides };
    topic.config = { ...this.topicConfigDefaults, ...configOfOverrides(overrides) };
  }

  async deleteTopic(name: string): Promise<void> {
    if (!this.topics.delete(name)) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${name} unknown`);
  }

  async createPartitions(name: string, partitionCount: number): Promise<void> {
    const topic = this.topics.get(name)!;
    while (topic.partitions.length < partitionCount) topic.partitions.push([]);
  }

  describeTopic(name: string): TopicView | undefined {
    const topic = this.topics.get(name);
    if (topic === undefined) return undefined;
    return {
      name,
      topicId: topic.topicId,
      config: topic.config,
      overrides: topic.overrides,
      partitions: topic.partitions.map((batches, partition) => ({ partition, logStartOffset: this.logStartOffsets.get(`${name}-${partition}`) ?? 0, highWatermark: batches.length, lastStableOffset: this.lastStableOffsets.get(`${name}-${partition}`) ?? batches.length })),
    };
  }

  topicNameById(topicId: Uint8Array): string | undefined {
    for (const [name, topic] of this.topics) if (topic.topicId.every((byte, i) => byte === topicId[i]) && topicId.length === 16) return name;
    return undefined;
  }

  listTopics(): TopicView[] {
    return [...this.topics.keys()].map((name) => this.describeTopic(name)!);
  }

  private partition(topic: string, partition: number): Uint8Array[] {
    const batches = this.topics.get(topic)?.partitions[partition];
    if (batches === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition} unknown`);
    return batches;
  }

  /** Each batch counts as one offset here; the bytes are stored as given. */
  async produce(topic: string, partition: number, batch: Uint8Array, options: { acks?: -1 | 0 | 1 }): Promise<ProduceOutcome> {
    this.produced.push({ topic, partition, bytes: batch.length, acks: options.acks });
    const batches = this.partition(topic, partition);
    if (batch.length > this.topics.get(topic)!.config.maxMessageBytes) throw new LanesError(ErrorCode.MESSAGE_TOO_LARGE, 'too large');
    batches.push(batch.slice());
    for (const waiter of this.waiting.splice(0)) waiter.resolve();
    return { baseOffset: batches.length - 1, recordCount: 1, logStartOffset: 0, highWatermark: batches.length };
  }

  /** The read limits (max_bytes) of the fetches running at once, now and at the most. */
  fetchBytesInFlight = 0;
  fetchBytesInFlightPeak = 0;
  fetchesInFlight = 0;
  fetchesInFlightPeak = 0;
  /** Reads answered and not released yet (each pins its views), now and at the most. */
  readsHeld = 0;
  readsHeldPeak = 0;

  async fetch(topic: string, partition: number, fetchOffset: number, maxBytes = 0, isolation: IsolationLevel = 'read_uncommitted'): Promise<FetchOutcome> {
    this.fetchBytesInFlight += maxBytes;
    this.fetchBytesInFlightPeak = Math.max(this.fetchBytesInFlightPeak, this.fetchBytesInFlight);
    this.fetchesInFlightPeak = Math.max(this.fetchesInFlightPeak, ++this.fetchesInFlight);
    await Promise.resolve();
    this.fetchBytesInFlight -= maxBytes;
    this.fetchesInFlight -= 1;
    const batches = this.partition(topic, partition);
    if (fetchOffset > batches.length) throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, 'out of range');
    const id = this.fetches++;
    this.readsHeldPeak = Math.max(this.readsHeldPeak, ++this.readsHeld);
    let released = false;
    return {
      batches: batches.slice(fetchOffset),
      highWatermark: batches.length,
      logStartOffset: 0,
      lastStableOffset: batches.length,
      abortedTransactions: isolation === 'read_committed' ? [] : null,
      release: () => {
        if (released) throw new Error(`read ${id} released twice`);
        released = true;
        this.readsHeld -= 1;
        this.released.push(id);
      },
    };
  }

  waitForData(topic: string, partition: number, offset: number, timeoutMs: number): Promise<void> {
    this.partition(topic, partition);
    return new Promise((resolve) => this.waiting.push({ topic, partition, offset, timeoutMs, resolve }));
  }

  async offsetForTimestamp(_topic: string, _partition: number, timestampMs: number): Promise<number> {
    return timestampMs >= 1000 ? -1 : 0;
  }

  /** The last stable offset describeTopic reports, by `topic-partition` (the high watermark when not set: no open transaction). */
  readonly lastStableOffsets = new Map<string, number>();

  /** What maxTimestampRecord answers, by `topic-partition` (null when not set: an empty log). */
  readonly maxTimestampRecords = new Map<string, TimestampAndOffset>();

  async maxTimestampRecord(topic: string, partition: number): Promise<TimestampAndOffset | null> {
    this.partition(topic, partition);
    return this.maxTimestampRecords.get(`${topic}-${partition}`) ?? null;
  }

  /** As the log: −1 is the high watermark, never backwards, OFFSET_OUT_OF_RANGE outside [0, HW]. */
  async deleteRecords(topic: string, partition: number, offset: number): Promise<number> {
    this.logCalls.push(`deleteRecords ${topic}-${partition} ${offset}`);
    const highWatermark = this.partition(topic, partition).length;
    const target = offset === -1 ? highWatermark : offset;
    if (target < 0 || target > highWatermark) throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, `${target} outside [0, ${highWatermark}]`);
    const key = `${topic}-${partition}`;
    const start = Math.max(this.logStartOffsets.get(key) ?? 0, target);
    this.logStartOffsets.set(key, start);
    return start;
  }

  async activeProducers(topic: string, partition: number): Promise<ActiveProducer[]> {
    this.logCalls.push(`activeProducers ${topic}-${partition}`);
    this.partition(topic, partition);
    return this.producers.get(`${topic}-${partition}`) ?? [];
  }

  /** One directory; a partition's size is the bytes of its batches. */
  async describeLogDir(): Promise<LogDirView> {
    const partitions = [...this.topics].flatMap(([topic, { partitions }]) =>
      partitions.map((batches, partition) => ({ topic, partition, sizeBytes: batches.reduce((sum, batch) => sum + batch.length, 0) })),
    );
    return { path: '/data', totalBytes: 1000, usableBytes: 400, partitions };
  }

  /** The markers asked for, in order; each partition of a known topic answers 0, others 3. */
  readonly markers: TxnMarkerRequest[] = [];
  async writeTxnMarkers(markers: ReadonlyArray<TxnMarkerRequest>): Promise<TxnMarkerResult[]> {
    this.markers.push(...markers);
    return markers.map((marker) => ({
      producerId: marker.producerId,
      partitions: marker.partitions.map(({ topic, partition }) => ({ topic, partition, errorCode: this.topics.get(topic)?.partitions[partition] === undefined ? 3 : 0 })),
    }));
  }
}

export class FakeGroups implements GroupFacade {
  readonly calls: { api: string; request: unknown }[] = [];
  joinResponse: group.JoinGroupResponse = { errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: 'm1', skipAssignment: false, memberId: 'm1', members: [] };
  leaveResponse: group.LeaveGroupResponse = { errorCode: 0, members: [] };
  offsetFetchResponse: group.OffsetFetchResponse = { errorCode: 0, topics: [] };
  consumerHeartbeatResponse: group.ConsumerGroupHeartbeatResponse = { errorCode: 0, errorMessage: null, memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 5_000, assignment: null };
  consumerDescribeResponse: group.DescribedConsumerGroup[] = [];

  private record<Response>(api: string, request: unknown, response: Response): Promise<Response> {
    this.calls.push({ api, request });
    return Promise.resolve(response);
  }

  joinGroup(request: group.JoinGroupRequest) {
    return this.record('joinGroup', request, this.joinResponse);
  }
  syncGroup(request: group.SyncGroupRequest) {
    return this.record('syncGroup', request, { errorCode: 0, protocolType: null, protocolName: null, assignment: request.assignments[0]?.assignment ?? new Uint8Array(0) });
  }
  heartbeat(request: group.HeartbeatRequest) {
    return this.record('heartbeat', request, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
  }
  leaveGroup(request: group.LeaveGroupRequest) {
    return this.record('leaveGroup', request, this.leaveResponse);
  }
  offsetCommit(request: group.OffsetCommitRequest) {
    return this.record('offsetCommit', request, {
      topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
    });
  }
  txnOffsetsCommit(request: group.TxnOffsetsCommitRequest) {
    return this.record('txnOffsetsCommit', request, {
      topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
    });
  }
  /** What validateTxnOffsetCommit answers (0: the member may stage offsets). */
  txnOffsetCommitMemberError = 0;
  validateTxnOffsetCommit(request: group.TxnOffsetCommitMember) {
    return this.record('validateTxnOffsetCommit', request, this.txnOffsetCommitMemberError);
  }
  offsetFetch(request: group.OffsetFetchRequest) {
    return this.record('offsetFetch', request, this.offsetFetchResponse);
  }
  offsetDelete(request: group.OffsetDeleteRequest) {
    return this.record('offsetDelete', request, { errorCode: 0, topics: [] });
  }
  /** What describeGroups answers for these ids; any other id is a Stable classic group. */
  readonly describedGroups = new Map<string, group.DescribedGroup>();

  describeGroups(groupIds: readonly string[]) {
    return this.record('describeGroups', groupIds, groupIds.map((groupId) => this.describedGroups.get(groupId) ?? { errorCode: 0, groupId, groupState: 'Stable' as const, protocolType: 'consumer', protocolData: 'range', members: [] }));
  }
  consumerGroupHeartbeat(request: group.ConsumerGroupHeartbeatRequest) {
    return this.record('consumerGroupHeartbeat', request, this.consumerHeartbeatResponse);
  }
  consumerGroupDescribe(groupIds: readonly string[]) {
    return this.record('consumerGroupDescribe', groupIds, this.consumerDescribeResponse);
  }
  listGroups(statesFilter: readonly string[]) {
    return this.record<readonly group.ListedGroup[]>('listGroups', statesFilter, [{ groupId: 'g', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' }]);
  }
  deleteGroups(groupIds: readonly string[]) {
    return this.record('deleteGroups', groupIds, groupIds.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND })));
  }
}

export interface TestContext extends RequestContext {
  readonly written: () => void;
  readonly shutDown: () => void;
  nowMs: number;
}

export function context(options: { broker?: FakeBroker; groups?: FakeGroups | null; apiVersion: number; autoCreateTopics?: boolean }): TestContext {
  const releases: (() => void)[] = [];
  let shutDown!: () => void;
  const shutdown = new Promise<void>((resolve) => {
    shutDown = resolve;
  });
  const ctx: TestContext = {
    broker: options.broker ?? new FakeBroker(),
    groups: options.groups === undefined ? new FakeGroups() : options.groups,
    settings: { nodeId: 0, clusterId: 'test', autoCreateTopics: options.autoCreateTopics ?? true, defaultPartitions: 2 },
    clock: { nowMs: () => ctx.nowMs },
    nowMs: 1_000_000,
    apiVersion: options.apiVersion,
    clientId: 'client-1',
    clientHost: '/10.0.0.1',
    advertisedHost: '10.0.0.2',
    advertisedPort: 9092,
    shutdown,
    onWritten: (release) => releases.push(release),
    written: () => releases.splice(0).forEach((release) => release()),
    shutDown,
  };
  return ctx;
}
