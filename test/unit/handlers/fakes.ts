// Fakes for handler unit tests: a broker whose partitions are arrays of batches, a group facade
// that records what it was asked, and a RequestContext builder.
import { ErrorCode, LanesError } from '../../../core/errors.js';
import type * as group from '../../../core/group/group_api.js';
import type { BrokerFacade, FetchOutcome, GroupFacade, ProduceOutcome, RequestContext, TopicConfigView, TopicView } from '../../../core/handlers/handler.js';

const defaultConfig: TopicConfigView = { retentionMs: -1, retentionBytes: -1, segmentBytes: 1 << 20, maxMessageBytes: 1 << 20 };

export class FakeBroker implements BrokerFacade {
  readonly topics = new Map<string, { topicId: Uint8Array; config: TopicConfigView; partitions: Uint8Array[][] }>();
  /** Topic ids are 1, 2, 3… in the last byte, in creation order: never zero, never reused. */
  private topicsCreated = 0;
  readonly produced: { topic: string; partition: number; bytes: number; acks: number | undefined }[] = [];
  readonly released: number[] = [];
  /** Resolvers of pending waitForData calls. */
  readonly waiting: { topic: string; partition: number; offset: number; timeoutMs: number; resolve: () => void }[] = [];
  private fetches = 0;

  async createTopic(name: string, options: { partitions?: number; config?: Partial<TopicConfigView> } = {}): Promise<unknown> {
    if (this.topics.has(name)) throw new LanesError(ErrorCode.TOPIC_ALREADY_EXISTS, `${name} exists`);
    const topicId = new Uint8Array(16);
    topicId[15] = ++this.topicsCreated;
    this.topics.set(name, { topicId, config: { ...defaultConfig, ...options.config }, partitions: Array.from({ length: options.partitions ?? 1 }, () => []) });
    return {};
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
    return { name, topicId: topic.topicId, config: topic.config, partitions: topic.partitions.map((batches, partition) => ({ partition, logStartOffset: 0, highWatermark: batches.length })) };
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

  async fetch(topic: string, partition: number, fetchOffset: number, maxBytes = 0): Promise<FetchOutcome> {
    this.fetchBytesInFlight += maxBytes;
    this.fetchBytesInFlightPeak = Math.max(this.fetchBytesInFlightPeak, this.fetchBytesInFlight);
    this.fetchesInFlightPeak = Math.max(this.fetchesInFlightPeak, ++this.fetchesInFlight);
    await Promise.resolve();
    this.fetchBytesInFlight -= maxBytes;
    this.fetchesInFlight -= 1;
    const batches = this.partition(topic, partition);
    if (fetchOffset > batches.length) throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, 'out of range');
    const id = this.fetches++;
    return { batches: batches.slice(fetchOffset), highWatermark: batches.length, logStartOffset: 0, release: () => this.released.push(id) };
  }

  waitForData(topic: string, partition: number, offset: number, timeoutMs: number): Promise<void> {
    this.partition(topic, partition);
    return new Promise((resolve) => this.waiting.push({ topic, partition, offset, timeoutMs, resolve }));
  }

  async offsetForTimestamp(_topic: string, _partition: number, timestampMs: number): Promise<number> {
    return timestampMs >= 1000 ? -1 : 0;
  }
}

export class FakeGroups implements GroupFacade {
  readonly calls: { api: string; request: unknown }[] = [];
  joinResponse: group.JoinGroupResponse = { errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: 'm1', skipAssignment: false, memberId: 'm1', members: [] };
  leaveResponse: group.LeaveGroupResponse = { errorCode: 0, members: [] };
  offsetFetchResponse: group.OffsetFetchResponse = { errorCode: 0, topics: [] };

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
  offsetFetch(request: group.OffsetFetchRequest) {
    return this.record('offsetFetch', request, this.offsetFetchResponse);
  }
  offsetDelete(request: group.OffsetDeleteRequest) {
    return this.record('offsetDelete', request, { errorCode: 0, topics: [] });
  }
  describeGroups(groupIds: readonly string[]) {
    return this.record('describeGroups', groupIds, groupIds.map((groupId) => ({ errorCode: 0, groupId, groupState: 'Stable' as const, protocolType: 'consumer', protocolData: 'range', members: [] })));
  }
  listGroups(statesFilter: readonly string[]) {
    return this.record<readonly group.ListedGroup[]>('listGroups', statesFilter, [{ groupId: 'g', protocolType: 'consumer', groupState: 'Empty' }]);
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
