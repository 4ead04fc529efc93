// The Prometheus registry behind /metrics. Main thread. Names follow the exporters Node users
// already scrape (prom-client; platformatic's kafka_* metrics): lanes_<subject>_<quantity>,
// units last, counters end in _total.
//
// Broker state is read when Prometheus scrapes (each gauge's collect()), never on a timer of its
// own: a scrape first polls the observer, so rebalances that happened just before it count.
// Requests are counted as they are answered (observeRequest, the Kafka listener's hook), into
// per-API histograms of the broker's service time (request_histograms.ts: no allocation per
// request): from the request's frame complete to its response handed to the socket, minus the
// time a Fetch spent in its long poll, which is the client's max_wait_ms and not the broker's
// work; the long polls have a histogram of their own. lanes_requests_total is read from the same
// counts, so the two never disagree.
//
// Flush latency (lanes_log_flush_duration_seconds) is timed on the shard threads into a
// fixed-bucket histogram per shard (shard/flush_histogram.ts) and read on scrape through the
// control plane. prom-client's Histogram only takes single observations, so ShardFlushHistograms
// below is a collector of its own that writes the shards' pre-aggregated buckets as a histogram
// family: _bucket{le} cumulative and ending in +Inf = _count, and _sum. That is exactly what the
// shard measured, so histogram_quantile() and sum by (le) across shards work; a Summary would need
// quantiles we do not have (and cannot be aggregated across shards), and gauges per bucket would
// hide that the numbers are cumulative counters of one distribution.
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { errorCodeName } from '../../core/errors.js';
import { lanesVersion } from '../host/version.js';
import type { Logger } from '../logger.js';
import type { RequestObserver } from '../net/connection.js';
import type { BrokerObserver, ObservedBroker } from './broker_observer.js';
import { pushHistogramSeries, type HistogramSample } from './histogram_samples.js';
import { openTxnStates } from './open_transactions.js';
import { ApiHistograms } from './request_histograms.js';

/** What the metrics read of the Kafka listener (KafkaListener). */
export interface ObservedListener {
  readonly connectionCount: number;
  readonly bytesHeld: { readonly requests: number; readonly responses: number };
}

const flushDurationName = 'lanes_log_flush_duration_seconds';

/**
 * A prom-client metric of type histogram whose buckets come pre-aggregated from the shards. The
 * Registry formats anything with name, help, type and get(); each value names its own series.
 */
class ShardFlushHistograms {
  readonly name = flushDurationName;
  readonly help = 'Time to make a shard\'s log writes durable (the fdatasyncs of one flush, partitions and the offsets log), disk storage only, by shard';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #broker: Pick<ObservedBroker, 'flushStats'>;
  readonly #logger: Logger;

  constructor(broker: Pick<ObservedBroker, 'flushStats'>, logger: Logger) {
    this.#broker = broker;
    this.#logger = logger;
  }

  async get() {
    const values: HistogramSample[] = [];
    let shards: Awaited<ReturnType<ObservedBroker['flushStats']>> = [];
    try {
      shards = await this.#broker.flushStats();
    } catch (error) {
      // A stopped or failed broker: the other families still say so (lanes_shard_threads_live).
      this.#logger.warn({ err: error }, 'flush stats unavailable');
    }
    for (const stats of shards) {
      pushHistogramSeries(values, flushDurationName, { shard: String(stats.shard) }, stats.bucketsSeconds, stats.cumulativeCounts, stats.count, stats.sumSeconds);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Counts live in the shards and only grow; there is nothing to reset here. */
  reset(): void {}
}

export class LanesMetrics {
  readonly registry = new Registry();
  readonly #serviceSeconds = new ApiHistograms(
    'lanes_request_service_seconds',
    'Broker service time of a Kafka request, by API: from its frame complete to its response handed to the socket (queueing behind earlier requests of the connection included), minus a Fetch\'s long-poll wait',
  );
  readonly #longPollSeconds = new ApiHistograms(
    'lanes_request_long_poll_seconds',
    'Time a request waited for data before it could be answered (Fetch long polls that waited, up to the client\'s max_wait_ms), by API',
  );

  /** `api/code` → responses of that API carrying that error code (per partition, topic or group). */
  readonly #errors = new Map<string, { api: string; error: string; count: number }>();

  constructor(broker: ObservedBroker, observer: BrokerObserver, logger: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'lanes_build_info',
      help: 'Always 1; the labels say which Lanes and which Node.js are running',
      labelNames: ['version', 'nodejs'] as const,
      registers,
    }).set({ version: lanesVersion(), nodejs: process.versions.node }, 1);
    type Traffic = ReturnType<ObservedBroker['topicTraffic']> extends IterableIterator<[string, infer C]> ? C : never;
    const trafficCounter = (name: string, help: string, value: (counts: Traffic) => number): void => {
      new Counter({
        name,
        help,
        labelNames: ['topic'] as const,
        registers,
        collect() {
          this.reset();
          for (const [topic, counts] of broker.topicTraffic()) this.inc({ topic }, value(counts));
        },
      });
    };
    trafficCounter('lanes_topic_records_in_total', 'Records appended to a topic by produce requests (embedded or over the wire)', (c) => c.recordsIn);
    trafficCounter('lanes_topic_bytes_in_total', 'Record batch bytes appended to a topic by produce requests', (c) => c.bytesIn);
    trafficCounter('lanes_topic_records_out_total', 'Records in the batches fetches read from a topic (consumers, the CLI, any client)', (c) => c.recordsOut);
    trafficCounter('lanes_topic_bytes_out_total', 'Record batch bytes fetches read from a topic', (c) => c.bytesOut);
    const errors = this.#errors;
    new Counter({
      name: 'lanes_request_errors_total',
      help: "Error codes in Kafka responses, by API and Kafka's error name: one per partition, topic or group that failed, so one request may count several",
      labelNames: ['api', 'error'] as const,
      registers,
      collect() {
        this.reset();
        for (const { api, error, count } of errors.values()) this.inc({ api, error }, count);
      },
    });

    new Gauge({
      name: 'lanes_partition_log_end_offset',
      help: 'Offset the next record appended to the partition gets (its high watermark)',
      labelNames: ['topic', 'partition'] as const,
      registers,
      collect() {
        this.reset();
        for (const topic of broker.listTopics()) for (const p of topic.partitions) this.set({ topic: topic.name, partition: p.partition }, p.highWatermark);
      },
    });
    new Gauge({
      name: 'lanes_partition_unstable_records',
      help: 'Records a read_committed reader cannot read yet: the log end offset minus the last stable offset, which an open transaction holds back',
      labelNames: ['topic', 'partition'] as const,
      registers,
      collect() {
        this.reset();
        for (const topic of broker.listTopics()) {
          for (const p of topic.partitions) this.set({ topic: topic.name, partition: p.partition }, Math.max(0, p.highWatermark - p.lastStableOffset));
        }
      },
    });
    new Gauge({
      name: 'lanes_partition_log_start_offset',
      help: 'Earliest offset still in the partition\'s log',
      labelNames: ['topic', 'partition'] as const,
      registers,
      collect() {
        this.reset();
        for (const topic of broker.listTopics()) for (const p of topic.partitions) this.set({ topic: topic.name, partition: p.partition }, p.logStartOffset);
      },
    });
    new Gauge({
      name: 'lanes_group_committed_offset',
      help: 'Offset a consumer group committed for a partition',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
      async collect() {
        const groups = await observer.groups();
        this.reset();
        for (const group of groups) {
          for (const p of group.partitions) if (p.committedOffset >= 0) this.set({ group: group.groupId, topic: p.topic, partition: p.partition }, p.committedOffset);
        }
      },
    });
    new Gauge({
      name: 'lanes_group_lag',
      help: 'Log end offset minus committed offset, per group and partition (as `lanes group describe`)',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
      async collect() {
        const groups = await observer.groups();
        this.reset();
        for (const group of groups) for (const p of group.partitions) if (p.lag !== null) this.set({ group: group.groupId, topic: p.topic, partition: p.partition }, p.lag);
      },
    });
    new Gauge({
      name: 'lanes_transactions',
      help: 'Transactional ids the transaction coordinators keep, by the state of their transaction (Ongoing: open)',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const listed = await broker.listTransactions({ states: [], producerIds: [], durationMsMin: -1 });
        this.reset();
        const counts = new Map<string, number>();
        for (const txn of listed.transactions) counts.set(txn.state, (counts.get(txn.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'lanes_transaction_open_seconds_max',
      help: 'How long the oldest open transaction has been open (0 when none is): it holds back every read_committed reader of its partitions',
      registers,
      async collect() {
        const open = await broker.listTransactions({ states: openTxnStates, producerIds: [], durationMsMin: -1 });
        const described = await broker.describeTransactions(open.transactions.map((txn) => txn.transactionalId));
        const nowMs = Date.now();
        const oldestStartMs = Math.min(...described.filter((txn) => txn.startMs >= 0).map((txn) => txn.startMs));
        this.set(Number.isFinite(oldestStartMs) ? Math.max(0, nowMs - oldestStartMs) / 1000 : 0);
      },
    });
    new Gauge({
      name: 'lanes_group_members',
      help: 'Members of a consumer group',
      labelNames: ['group'] as const,
      registers,
      async collect() {
        const groups = await observer.groups();
        this.reset();
        for (const group of groups) this.set({ group: group.groupId }, group.members.length);
      },
    });
    new Gauge({
      name: 'lanes_group_epoch',
      help: "A group's epoch by its type: the consumer protocol's group epoch (KIP-848), or a classic group's generation once it rebalanced since the port opened",
      labelNames: ['group', 'type'] as const,
      registers,
      async collect() {
        const groups = await observer.groups();
        this.reset();
        for (const group of groups) if (group.generationId !== null) this.set({ group: group.groupId, type: group.type }, group.generationId);
      },
    });
    new Gauge({
      name: 'lanes_group_member_epoch',
      help: "A consumer-protocol member's epoch: below the group epoch while it has not reconciled to the latest target",
      labelNames: ['group', 'member'] as const,
      registers,
      async collect() {
        const groups = await observer.groups();
        this.reset();
        for (const group of groups) for (const m of group.members) if (m.memberEpoch !== null) this.set({ group: group.groupId, member: m.memberId }, m.memberEpoch);
      },
    });
    new Gauge({
      name: 'lanes_group_member_partitions',
      help: 'Partitions a consumer-protocol member owns now (assignment="current") and is meant to own (assignment="target"); they differ while the group reconciles',
      labelNames: ['group', 'member', 'assignment'] as const,
      registers,
      async collect() {
        const groups = await observer.groups();
        this.reset();
        const count = (list: readonly { partitions: readonly number[] }[]) => list.reduce((sum, { partitions }) => sum + partitions.length, 0);
        for (const group of groups) {
          for (const m of group.members) {
            if (m.targetAssignment === null) continue;
            this.set({ group: group.groupId, member: m.memberId, assignment: 'current' }, count(m.assignment ?? []));
            this.set({ group: group.groupId, member: m.memberId, assignment: 'target' }, count(m.targetAssignment));
          }
        }
      },
    });
    // A counter whose value lives in the observer: collect() copies it (counters only go up, and
    // the observer's counts only grow while the port is open).
    new Counter({
      name: 'lanes_group_rebalances_total',
      help: 'Rebalances completed, by group and the reason the rebalance started',
      labelNames: ['group', 'reason'] as const,
      registers,
      async collect() {
        await observer.poll();
        this.reset();
        for (const [group, reasons] of observer.rebalanceCounts()) for (const [reason, count] of reasons) this.inc({ group, reason }, count);
      },
    });
    const service = this.#serviceSeconds;
    new Counter({
      name: 'lanes_requests_total',
      help: 'Kafka requests answered (or, with acks=0, handled), by API',
      labelNames: ['api'] as const,
      registers,
      collect() {
        this.reset();
        for (const [api, count] of service.counts()) this.inc({ api }, count);
      },
    });
    this.registry.registerMetric(this.#serviceSeconds as unknown as Metric);
    this.registry.registerMetric(this.#longPollSeconds as unknown as Metric);
    type Ring = ReturnType<ObservedBroker['ringOccupancy']>[number];
    const ringGauge = (name: string, help: string, value: (ring: Ring) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['shard', 'ring'] as const,
        registers,
        collect() {
          this.reset();
          for (const ring of broker.ringOccupancy()) this.set({ shard: ring.shard, ring: ring.ring }, value(ring));
        },
      });
    };
    ringGauge('lanes_shard_ring_used_bytes', 'Bytes waiting in a shard ring: request (host to shard) or reply (shard to host)', (ring) => ring.usedBytes);
    ringGauge('lanes_shard_ring_capacity_bytes', 'Capacity of each shard ring', (ring) => ring.capacityBytes);
    // The registry collects every metric of a scrape at once: the shard gauges share one
    // describeShards round trip to the shards rather than making one each.
    let shardsInFlight: ReturnType<ObservedBroker['describeShards']> | null = null;
    const describeShards = () =>
      (shardsInFlight ??= broker.describeShards().finally(() => {
        shardsInFlight = null;
      }));
    type Shard = Awaited<ReturnType<ObservedBroker['describeShards']>>[number];
    const shardGauge = (name: string, help: string, value: (shard: Shard) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['shard'] as const,
        registers,
        async collect() {
          const shards = await describeShards();
          this.reset();
          for (const shard of shards) this.set({ shard: shard.shardId }, value(shard));
        },
      });
    };
    shardGauge('lanes_shard_arena_used_bytes', 'Shared-memory segment bytes a shard has allocated', (shard) => shard.arenaBytesInUse);
    shardGauge('lanes_shard_heap_used_bytes', 'V8 heap bytes in use in a shard worker thread (each has its own heap)', (shard) => shard.heapUsedBytes);
    new Gauge({
      name: 'lanes_partition_offline',
      help: 'Partitions whose log failed (a failed fsync, a broken invariant): 1 while they answer KAFKA_STORAGE_ERROR, until a restart',
      labelNames: ['topic', 'partition'] as const,
      registers,
      async collect() {
        const shards = await describeShards();
        this.reset();
        for (const shard of shards) for (const p of shard.partitions) this.set({ topic: p.topic, partition: p.partition }, p.offline === null ? 0 : 1);
      },
    });
    new Gauge({
      name: 'lanes_shard_threads_live',
      help: 'Shard worker threads running (less than the shard count: the broker failed)',
      registers,
      collect() {
        this.set(broker.liveThreads());
      },
    });
    this.registry.registerMetric(new ShardFlushHistograms(broker, logger) as unknown as Metric);
  }

  /** For the Kafka listener's onRequest hook (actors/net/connection.ts says what is timed). */
  readonly observeRequest: RequestObserver = (api, serviceMs, longPollMs, errorCodes) => {
    this.#serviceSeconds.observe(api, serviceMs / 1000);
    if (longPollMs > 0) this.#longPollSeconds.observe(api, longPollMs / 1000);
    if (errorCodes !== null) for (const code of errorCodes) this.#countError(api, code);
  };

  #countError(api: string, code: number): void {
    const key = `${api}/${code}`;
    const entry = this.#errors.get(key);
    if (entry !== undefined) entry.count++;
    // Labels are bounded: APIs and Kafka's error codes are both fixed lists.
    else this.#errors.set(key, { api, error: errorCodeName(code), count: 1 });
  }

  /**
   * Gauges of the Kafka listener's bounds, read on scrape: open connections, request bytes in
   * memory and response bytes queued (what queued.max.request.bytes and the response limits cap).
   */
  observeListener(listener: ObservedListener): void {
    const registers = [this.registry];
    new Gauge({ name: 'lanes_listener_connections', help: 'Open Kafka connections', registers, collect() { this.set(listener.connectionCount); } });
    new Gauge({ name: 'lanes_listener_request_bytes', help: 'Request bytes in memory over all connections (received, not yet handled)', registers, collect() { this.set(listener.bytesHeld.requests); } });
    new Gauge({ name: 'lanes_listener_response_bytes', help: 'Response bytes queued over all connections (encoded, not yet taken by the kernel)', registers, collect() { this.set(listener.bytesHeld.responses); } });
  }

  /** The text exposition format (version 0.0.4). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
