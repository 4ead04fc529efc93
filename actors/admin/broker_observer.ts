// What the admin port knows about the broker: topics with their log end offsets and produce
// rates, consumer groups with members, ownership and lag, and a timeline of rebalances. Main
// thread.
//
// Two kinds of state, kept apart:
// - sampled on a timer (poll(), every pollIntervalMs): the group coordinators' events, drained
//   from every shard (shard/group_event_buffer.ts) into the timeline and the rebalance counters,
//   and each partition's log end offset, from which the rates are computed. Events are only
//   kept if someone drains them, so the timer runs while the admin port is open.
// - computed when asked (groups(), overview()): group state, committed offsets and lag, from
//   the broker's own ListGroups / DescribeGroups / OffsetFetch, with the same lag computation
//   as `lanes group describe` (cli/group_lag.ts), so the figures agree.
// - the open transactions (overview()), asked of the transaction coordinators each time, with
//   each partition's last stable offset (open_transactions.ts).
// - the charts' history (recordHistory(), after each timed poll): a point every historyStepMs of
//   each topic's records/s and each group's total lag, the last 60 kept (series_history.ts).
import { openTransactions, type TransactionOverview } from './open_transactions.js';
import { SeriesHistory, type HistorySnapshot } from './series_history.js';
import { decodeAssignment } from '../../core/assignors/consumer_protocol.js';
import type { GroupEvent, MemberRemovedEvent, RebalanceReason } from '../../core/group/group_event.js';
import { lagKey, lagPartitions, partitionLags, totalLag, type PartitionLag } from '../cli/group_lag.js';
import type { Broker } from '../host/broker.js';
import type { Logger } from '../logger.js';
import type { TimedGroupEvent } from '../shard/group_event_buffer.js';

/** The parts of the Broker the admin port reads. */
export type ObservedBroker = Pick<
  Broker,
  'listTopics' | 'listGroups' | 'describeGroups' | 'consumerGroupDescribe' | 'offsetFetch' | 'drainGroupEvents' | 'ringOccupancy' | 'describeShards' | 'liveThreads' | 'shardCount'
  | 'flushStats' | 'topicTraffic' | 'listTransactions' | 'describeTransactions' | 'describeTopic'
>;

export interface PartitionOverview {
  partition: number;
  shard: number;
  logStartOffset: number;
  logEndOffset: number;
  /** Records appended per second over the last rateWindowMs; null until two samples exist. */
  recordsPerSecond: number | null;
}

export interface TopicOverview {
  name: string;
  partitions: PartitionOverview[];
  recordsPerSecond: number | null;
}

export interface MemberOverview {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  /** Decoded from the assignment (ConsumerProtocol); null when it is another protocol. */
  assignment: { topic: string; partitions: number[] }[] | null;
  /** Consumer-protocol groups: the member epoch, and what the coordinator means the member to own. */
  memberEpoch: number | null;
  targetAssignment: { topic: string; partitions: number[] }[] | null;
}

export interface GroupOverview {
  groupId: string;
  /** Which group protocol the group speaks. */
  type: 'classic' | 'consumer';
  state: string;
  /**
   * Classic: from the last rebalance seen, null if the group has not rebalanced since the port
   * opened. Consumer protocol: the group epoch, always known.
   */
  generationId: number | null;
  /** Consumer protocol: the epoch of the target assignment (below the group epoch while one is computed); else null. */
  assignmentEpoch: number | null;
  protocolType: string;
  protocol: string;
  members: MemberOverview[];
  partitions: PartitionLag[];
  totalLag: number;
}

export interface RebalanceEntry {
  /** Increasing id, so a page can tell new entries from old. */
  id: number;
  atMs: number;
  groupId: string;
  generationId: number;
  reason: RebalanceReason;
  durationMs: number;
  members: string[];
  joined: string[];
  /** Members removed since the previous generation, and why (leaveGroup, sessionTimeout, …). */
  removed: { memberId: string; cause: MemberRemovedEvent['cause'] | 'left' }[];
}

export interface Overview {
  atMs: number;
  shards: number;
  topics: TopicOverview[];
  groups: GroupOverview[];
  /** Newest first. */
  rebalances: RebalanceEntry[];
  /** Group events dropped by full shard buffers (the timeline may miss some). */
  droppedEvents: number;
  /** Open transactions, oldest first, with the last-stable-offset lag each partition they write has. */
  transactions: TransactionOverview[];
  /** The last minutes for the charts: records/s per topic and total lag per group, every historyStepMs. */
  history: { stepMs: number; topicRates: HistorySnapshot; groupLag: HistorySnapshot };
}

export interface ObserverOptions {
  pollIntervalMs?: number;
  /** Timeline entries kept; default 200. */
  timelineMax?: number;
  /** Window of the produce rates; default 5 s. */
  rateWindowMs?: number;
  /** Time between chart points; default 5 s (60 points: the last 5 minutes). */
  historyStepMs?: number;
  logger: Logger;
  now?: () => number;
}

const samplesPerPartitionMax = 64;
/** Chart points kept per series: at the default 5 s step, the last 5 minutes. */
const historyPointsMax = 60;

export class BrokerObserver {
  readonly #broker: ObservedBroker;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #pollIntervalMs: number;
  readonly #timelineMax: number;
  readonly #rateWindowMs: number;
  readonly #historyStepMs: number;
  readonly #topicRates = new SeriesHistory(historyPointsMax);
  readonly #groupLag = new SeriesHistory(historyPointsMax);
  readonly #timeline: RebalanceEntry[] = [];
  /** group → reason → rebalances since the port opened. */
  readonly #rebalances = new Map<string, Map<RebalanceReason, number>>();
  readonly #generations = new Map<string, { generationId: number; members: string[] }>();
  /** Removals not yet followed by the rebalance they cause. */
  readonly #pendingRemovals = new Map<string, RebalanceEntry['removed']>();
  /** `topic/partition` → [atMs, logEndOffset] samples, oldest first. */
  readonly #samples = new Map<string, [number, number][]>();
  readonly #listeners = new Set<() => void>();
  #droppedEvents = 0;
  #nextEntryId = 1;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;
  #nextPoll: Promise<void> | null = null;
  #groupsCache: { atMs: number; groups: Promise<GroupOverview[]> } | null = null;

  constructor(broker: ObservedBroker, options: ObserverOptions) {
    this.#broker = broker;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#timelineMax = options.timelineMax ?? 200;
    this.#rateWindowMs = options.rateWindowMs ?? 5000;
    this.#historyStepMs = options.historyStepMs ?? 5000;
    if (!(this.#pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be positive, got ${this.#pollIntervalMs}`);
    if (!Number.isInteger(this.#timelineMax) || this.#timelineMax < 1) throw new RangeError(`timelineMax must be a positive integer, got ${this.#timelineMax}`);
  }

  get pollIntervalMs(): number {
    return this.#pollIntervalMs;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => {
      void this.poll()
        .then(() => this.recordHistory())
        .then(() => {
          for (const listener of this.#listeners) listener();
        });
    }, this.#pollIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  /**
   * Adds a chart point (records/s per topic, total lag per group) when historyStepMs has passed
   * since the last; called after each timed poll. Failures (a stopping broker) skip the point.
   */
  async recordHistory(): Promise<void> {
    const atMs = this.#now();
    const last = this.#topicRates.lastAtMs;
    if (last !== null && atMs - last < this.#historyStepMs) return;
    let groups: GroupOverview[];
    try {
      groups = await this.groups();
    } catch (error) {
      this.#logger.debug({ err: error }, 'no chart point: groups not described');
      return;
    }
    this.#topicRates.record(atMs, new Map(this.topics().map((t) => [t.name, t.recordsPerSecond])));
    this.#groupLag.record(atMs, new Map(groups.map((g) => [g.groupId, g.totalLag])));
  }

  /** Called after every timed poll (the live stream pushes then). */
  onPoll(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Drains the shards' group events and samples log end offsets, one poll at a time. A call while
   * a poll runs gets the next one (shared by every such caller), so what happened before the
   * call is seen when it resolves.
   */
  poll(): Promise<void> {
    if (this.#polling === null) {
      this.#polling = this.#poll().finally(() => {
        this.#polling = null;
      });
      return this.#polling;
    }
    this.#nextPoll ??= this.#polling.then(() => {
      this.#nextPoll = null;
      return this.poll();
    });
    return this.#nextPoll;
  }

  async #poll(): Promise<void> {
    const atMs = this.#now();
    this.#sampleOffsets(atMs);
    let drained: Awaited<ReturnType<ObservedBroker['drainGroupEvents']>>;
    try {
      drained = await this.#broker.drainGroupEvents();
    } catch (error) {
      // The broker is stopping or failed: nothing to observe, and /healthz says so.
      this.#logger.debug({ err: error }, 'group events not drained');
      return;
    }
    const events: TimedGroupEvent[] = [];
    for (const shard of drained) {
      this.#droppedEvents += shard.dropped;
      if (shard.dropped > 0) this.#logger.warn({ shard: shard.shard, dropped: shard.dropped }, 'group events dropped: the shard buffer was full');
      events.push(...shard.events);
    }
    // Groups live on one shard each, so sorting by time keeps each group's order.
    events.sort((a, b) => a.atMs - b.atMs);
    for (const { atMs: eventAtMs, event } of events) this.#apply(eventAtMs, event);
  }

  #apply(atMs: number, event: GroupEvent): void {
    if (event.type === 'memberRemoved') {
      const pending = this.#pendingRemovals.get(event.groupId) ?? [];
      pending.push({ memberId: event.memberId, cause: event.cause });
      this.#pendingRemovals.set(event.groupId, pending);
      return;
    }
    const reasons = this.#rebalances.get(event.groupId) ?? new Map<RebalanceReason, number>();
    reasons.set(event.reason, (reasons.get(event.reason) ?? 0) + 1);
    this.#rebalances.set(event.groupId, reasons);
    const previous = this.#generations.get(event.groupId)?.members ?? [];
    const removed = this.#pendingRemovals.get(event.groupId) ?? [];
    this.#pendingRemovals.delete(event.groupId);
    const members = [...event.members];
    for (const memberId of previous) {
      if (!members.includes(memberId) && !removed.some((r) => r.memberId === memberId)) removed.push({ memberId, cause: 'left' });
    }
    this.#generations.set(event.groupId, { generationId: event.generationId, members });
    this.#timeline.unshift({
      id: this.#nextEntryId++,
      atMs,
      groupId: event.groupId,
      generationId: event.generationId,
      reason: event.reason,
      durationMs: event.durationMs,
      members,
      joined: members.filter((memberId) => !previous.includes(memberId)),
      removed,
    });
    if (this.#timeline.length > this.#timelineMax) this.#timeline.length = this.#timelineMax;
  }

  #sampleOffsets(atMs: number): void {
    const seen = new Set<string>();
    for (const topic of this.#broker.listTopics()) {
      for (const partition of topic.partitions) {
        const key = lagKey(topic.name, partition.partition);
        seen.add(key);
        const samples = this.#samples.get(key) ?? [];
        samples.push([atMs, partition.highWatermark]);
        while (samples.length > samplesPerPartitionMax || (samples.length > 2 && atMs - samples[1][0] >= this.#rateWindowMs)) samples.shift();
        this.#samples.set(key, samples);
      }
    }
    for (const key of this.#samples.keys()) if (!seen.has(key)) this.#samples.delete(key);
  }

  #rate(key: string): number | null {
    const samples = this.#samples.get(key);
    if (samples === undefined || samples.length < 2) return null;
    const [firstAtMs, firstOffset] = samples[0];
    const [lastAtMs, lastOffset] = samples[samples.length - 1];
    if (lastAtMs <= firstAtMs) return null;
    return Math.max(0, ((lastOffset - firstOffset) * 1000) / (lastAtMs - firstAtMs));
  }

  /** group → reason → count, since the admin port opened. */
  rebalanceCounts(): ReadonlyMap<string, ReadonlyMap<RebalanceReason, number>> {
    return this.#rebalances;
  }

  /** Newest first. */
  timeline(): readonly RebalanceEntry[] {
    return this.#timeline;
  }

  topics(): TopicOverview[] {
    return this.#broker.listTopics().map((topic) => {
      const partitions = topic.partitions.map((p) => ({
        partition: p.partition,
        shard: p.shard,
        logStartOffset: p.logStartOffset,
        logEndOffset: p.highWatermark,
        recordsPerSecond: this.#rate(lagKey(topic.name, p.partition)),
      }));
      const rates = partitions.map((p) => p.recordsPerSecond);
      return { name: topic.name, partitions, recordsPerSecond: rates.every((r) => r === null) ? null : rates.reduce<number>((sum, r) => sum + (r ?? 0), 0) };
    });
  }

  /**
   * Every group with its members and lag. Answers given within `maxAgeMs` are shared, so one
   * scrape's gauges (and simultaneous viewers) ask the coordinators once.
   */
  groups(maxAgeMs = 250): Promise<GroupOverview[]> {
    const atMs = this.#now();
    if (this.#groupsCache !== null && atMs - this.#groupsCache.atMs <= maxAgeMs) return this.#groupsCache.groups;
    const groups = this.#describeGroups();
    this.#groupsCache = { atMs, groups };
    groups.catch(() => {
      if (this.#groupsCache?.groups === groups) this.#groupsCache = null;
    });
    return groups;
  }

  async #describeGroups(): Promise<GroupOverview[]> {
    const listed = await this.#broker.listGroups();
    if (listed.length === 0) return [];
    const classicIds = listed.filter((g) => g.groupType === 'classic').map((g) => g.groupId);
    const consumerIds = listed.filter((g) => g.groupType === 'consumer').map((g) => g.groupId);
    const [described, describedConsumer] = await Promise.all([
      classicIds.length === 0 ? [] : this.#broker.describeGroups(classicIds),
      consumerIds.length === 0 ? [] : this.#broker.consumerGroupDescribe(consumerIds),
    ]);
    const logEndOffsets = new Map<string, number>();
    for (const topic of this.#broker.listTopics()) for (const p of topic.partitions) logEndOffsets.set(lagKey(topic.name, p.partition), p.highWatermark);
    const withLag = async (header: Omit<GroupOverview, 'partitions' | 'totalLag'>): Promise<GroupOverview> => {
      const fetched = await this.#broker.offsetFetch({ groupId: header.groupId, topics: null });
      const committed = new Map<string, Map<number, number>>();
      for (const topic of fetched.topics) {
        committed.set(topic.name, new Map(topic.partitions.map((p) => [p.partitionIndex, p.committedOffset])));
      }
      const owners = new Map<string, string>();
      for (const member of header.members) for (const { topic, partitions } of member.assignment ?? []) for (const p of partitions) owners.set(lagKey(topic, p), member.memberId);
      const partitions = partitionLags(lagPartitions(committed, owners), committed, logEndOffsets, owners);
      return { ...header, partitions, totalLag: totalLag(partitions) };
    };
    const groups = await Promise.all([
      ...described.map(async (group): Promise<GroupOverview | null> => {
        if (group.errorCode !== 0 || group.groupState === 'Dead') return null;
        const members = group.members
          .map((member): MemberOverview => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            host: member.clientHost,
            assignment: group.protocolType === 'consumer' || group.protocolType === '' ? decodeOwned(member.memberAssignment) : null,
            memberEpoch: null,
            targetAssignment: null,
          }))
          .sort(byMemberId);
        return withLag({ groupId: group.groupId, type: 'classic', state: group.groupState, generationId: null, assignmentEpoch: null, protocolType: group.protocolType, protocol: group.protocolData, members });
      }),
      ...describedConsumer.map(async (group): Promise<GroupOverview | null> => {
        // Deleted (or turned classic) between listing and describing.
        if (group.errorCode !== 0) return null;
        const members = group.members
          .map((member): MemberOverview => ({
            memberId: member.memberId,
            groupInstanceId: member.instanceId,
            clientId: member.clientId,
            host: member.clientHost,
            assignment: sortedPartitions(member.assignment),
            memberEpoch: member.memberEpoch,
            targetAssignment: sortedPartitions(member.targetAssignment),
          }))
          .sort(byMemberId);
        return withLag({
          groupId: group.groupId,
          type: 'consumer',
          state: group.groupState,
          generationId: group.groupEpoch,
          assignmentEpoch: group.assignmentEpoch,
          protocolType: 'consumer',
          protocol: group.assignorName,
          members,
        });
      }),
    ]);
    // A rebalance's event is recorded on the shard no later than the coordinator answers for the
    // generation it made, so draining after describing gives every group its generation.
    await this.poll();
    const live = groups.filter((g): g is GroupOverview => g !== null).sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
    for (const group of live) if (group.type === 'classic') group.generationId = this.#generations.get(group.groupId)?.generationId ?? null;
    return live;
  }

  async overview(): Promise<Overview> {
    const groups = await this.groups();
    const transactions = await openTransactions(this.#broker, this.#now());
    return {
      atMs: this.#now(),
      shards: this.#broker.shardCount,
      topics: this.topics(),
      groups,
      rebalances: [...this.#timeline],
      droppedEvents: this.#droppedEvents,
      transactions,
      history: { stepMs: this.#historyStepMs, topicRates: this.#topicRates.snapshot(), groupLag: this.#groupLag.snapshot() },
    };
  }
}

function byMemberId(a: MemberOverview, b: MemberOverview): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

function sortedPartitions(list: readonly { topic: string; partitions: readonly number[] }[]): { topic: string; partitions: number[] }[] {
  return list.map(({ topic, partitions }) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) })).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}

function decodeOwned(bytes: Uint8Array): MemberOverview['assignment'] {
  try {
    return decodeAssignment(bytes).assignedPartitions.map(({ topic, partitions }) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }));
  } catch {
    return null;
  }
}
