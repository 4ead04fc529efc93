// Every bound the broker enforces, with the reason for each, and the relations between them
// asserted once when this module loads. Subsystems that need a bound take it from here, so a
// reviewer can see all of them side by side.
import { assert } from './assert.js';

const MiB = 1024 * 1024;

/** Kafka's socket.request.max.bytes default: larger frames close the connection unread. */
export const frameBytesMax = 100 * MiB;

/** Kafka's message.max.bytes default (1 MiB plus the record overhead Kafka allows). */
export const recordBatchBytesMaxDefault = 1 * MiB + 12;

/** The smallest possible RecordBatch v2: the 61-byte header and no records. */
export const recordBatchHeaderBytes = 61;

/**
 * The most bytes the records of one compressed batch may decompress to. Validation and reading
 * hold a batch's plain records in memory at once, so without a bound a small "decompression bomb"
 * (gzip reaches ~1000:1 on zeros) could claim gigabytes from one 1 MiB produce. Real payloads
 * compress 2–20:1, so 64 times the default max.message.bytes leaves ample room; past it the batch
 * is refused with CORRUPT_MESSAGE. Kafka itself streams and has no such limit.
 */
export const decompressedRecordsBytesMax = 64 * MiB;

/** Kafka's segment.bytes default is 1 GiB; segments in memory are smaller so rolls are cheap. */
export const segmentBytesDefault = 64 * MiB;

/**
 * The longest topic config value (UTF-8 bytes) a topic may hold: DescribeConfigs sends it back in
 * a protocol string (at most 32,767 bytes). A value read off the wire already fits; one grown by
 * IncrementalAlterConfigs APPEND, or given by an embedded caller, may not, and is refused.
 */
export const topicConfigValueBytesMax = 0x7fff;

/** Positions inside a segment are u32 in the indexes and int32 on the wire: a segment stays below 2 GiB. */
export const segmentBytesMax = 0x7fff_ffff;

/** A sparse index entry every this many bytes of log (Kafka's index.interval.bytes). */
export const indexIntervalBytesDefault = 4096;

/**
 * The most characters of a client's value (a topic name, a config value) an error message
 * quotes. Messages travel back in protocol strings (at most 32,767 bytes); a 32,767-character
 * topic name quoted in full no longer fits, so quoted values are cut here, with a marker.
 */
export const quotedValueCharsMax = 256;

/**
 * The most characters of any error message the broker answers with: a message may quote more
 * than one value, and each UTF-16 character takes up to 3 bytes in UTF-8, so this keeps every
 * message far inside a protocol string.
 */
export const errorMessageCharsMax = 2048;

/**
 * Kafka's queued.max.request.bytes: request bytes held in memory over all connections (frames
 * being received and frames being handled). A frame spread over socket reads takes its announced
 * size when its size is read; past the budget, connections stop reading until bytes come back.
 * Kafka's default is unbounded; this admits two frames of the largest size at once, far above
 * what produce traffic holds (bench/load peaks in single MiB), while 12 clients announcing
 * 100 MiB frames and trickling them cannot take gigabytes.
 */
export const queuedRequestBytesMaxDefault = 256 * MiB;

/**
 * Response bytes one connection may have queued (encoded, not yet taken by the kernel) before it
 * stops starting requests, and the level they must drain to before it starts again. A client
 * that never reads then costs this plus the one response being built (a connection handles one
 * Fetch at a time), instead of a whole pipeline of 64 MiB Fetch responses.
 */
export const connectionResponseBytesHigh = 8 * MiB;
export const connectionResponseBytesLow = 1 * MiB;

/**
 * Response bytes queued over all connections; past it no connection starts a request until some
 * drain. A safety net for many slow connections at once: each is bounded by the high mark above.
 */
export const responseBytesMaxDefault = 512 * MiB;

/**
 * Kafka's max.connections and max.connections.per.ip (both unbounded in Kafka): connections
 * beyond them are closed on accept. Far above what real clients open (a client opens one or two
 * per broker), under a typical 1,024 file descriptors per address only when raised.
 */
export const connectionsMaxDefault = 4096;
export const connectionsPerAddressMaxDefault = 1024;

/** Kafka's connections.max.idle.ms: a connection with no request running and no bytes moving is closed. */
export const connectionsMaxIdleMsDefault = 10 * 60 * 1000;

/**
 * How long a client may take to send one request frame once it began it (slowloris: a frame
 * trickled a byte a second would hold a connection and its budget forever). Kafka has no such
 * bound; clients give up on a request after request.timeout.ms (30 s), so twice that is generous.
 */
export const requestFrameTimeoutMsDefault = 60 * 1000;

/**
 * SCRAM users a broker keeps, and the characters of a user name. Kafka bounds neither, but its
 * credentials live in a metadata log; Lanes keeps them in memory and rewrites one file on every
 * change, so a client upserting random users (AlterUserScramCredentials) must not grow either
 * without end. Far above what a broker's operators create by hand or by provisioning.
 */
export const scramUsersMax = 10_000;

/**
 * Kafka's sasl.server.max.receive.size: the largest frame a SASL listener reads before the
 * connection has authenticated (SASL tokens are small; an anonymous client must not make the
 * broker hold frameBytesMax per connection). Larger frames close the connection unread.
 */
export const saslFrameBytesMax = 512 * 1024;
export const scramUserNameCharsMax = 256;

/** At most one warning per this many ms for refused connections (a flood would flood the log). */
export const refusedConnectionLogIntervalMs = 10 * 1000;

/**
 * The most protocol metadata one JoinGroup may carry (all its protocols together), and the most
 * assignment bytes one SyncGroup may carry (all members together). The group's record in the
 * offsets log holds each member's metadata and assignment, and that log takes batches of at most
 * recordBatchBytesMaxDefault, so a larger member could never be stored; and the request must
 * reach the coordinator's shard in one ring record (half the ring, 4 MiB by default). Past it
 * the request is answered INVALID_REQUEST (its response has no message field; the broker logs
 * why at warn) and the connection stays. Kafka has no such bound of its own.
 */
export const groupMetadataBytesMax = 1 * MiB;
export const groupAssignmentBytesMax = 1 * MiB;

/**
 * Largest window of a segment read at once when walking batch headers through a store (file
 * storage copies each read into a fresh buffer): large enough that a walk over many small batches
 * costs few reads, small enough that the copy stays cheap beside the batch it locates.
 */
export const segmentWalkWindowBytes = 64 * 1024;

/**
 * The first window of a walk, doubled per read up to segmentWalkWindowBytes. Most walks start at
 * an index entry and stop within the next index interval, so a first read of the largest window
 * copied mostly bytes never looked at: a request naming one partition thousands of times (ListOffsets
 * by timestamp) read and threw away 64 KiB per name, a fifth of its shard's CPU under fuzzing.
 */
export const segmentWalkFirstWindowBytes = 4 * 1024;

/**
 * The write buffer of a disk segment: committed batches wait in it for the one write per turn.
 * A segment starts with the small buffer and doubles up to the default as its turns need, so a
 * partition that took a few small batches keeps kilobytes, not the full buffer (4,096 partitions
 * of 1 MiB each would hold 4 GiB once the allocator hands out reused, already-touched pages).
 */
export const segmentWriteBufferBytesDefault = 1 * MiB;
export const segmentWriteBufferBytesInitial = 64 * 1024;

/**
 * Kafka's fetch.max.bytes (KIP-541, default 55 MiB): a Fetch's max_bytes is cut to it. Fetch reads
 * partitions in waves that fit the remaining max_bytes, so this bounds what one Fetch reads at once
 * (a fuzzed max_bytes of 2 GiB naming thousands of partitions read them all in parallel).
 */
export const fetchBytesMax = 55 * MiB;

/**
 * Partitions a Fetch reads at once after its max_bytes is spent: each read returns at most one
 * batch, kept only for its offsets, so a wave costs this many batches; more in parallel only
 * saves round trips to the shards.
 */
export const fetchReadsPerSpentWaveMax = 16;

/**
 * Transaction markers one WriteTxnMarkers request has in flight at once. A request names
 * partitions in 4 bytes each, and each becomes a control batch of about 80 bytes in a ring and a
 * pending reply: appended in waves of this many, a request of frameBytesMax holds at most this
 * many batches, not twenty times its size. A coordinator's transaction rarely spans more.
 */
export const txnMarkerAppendsInFlightMax = 1024;

/**
 * Producers whose epoch InitProducerId remembers for epoch bumps; past it the oldest are
 * forgotten first (a forgotten producer asking again gets a fresh id). Bounds the allocator's
 * memory against clients that ask for ids in a loop.
 */
export const rememberedProducersMax = 100_000;

/**
 * Timers the group coordinator fires in one advance of its clock. A fired timer may schedule
 * another that is already due (an initial rebalance delay of 0), so the loop is bounded: past it
 * a timer keeps rescheduling itself, which is a programmer error, asserted.
 */
export const groupTimersPerAdvanceMax = 1_000_000;

/**
 * Fresh member ids the coordinator draws before giving up: ids are client id + a suffix from a
 * counter (or the configured source), so a collision repeating this often means the id source is
 * broken (asserted).
 */
export const memberIdAttemptsMax = 1_000;

/**
 * Characters of a client's id (or group.instance.id) a member id starts with. Member ids travel
 * back in protocol strings (at most 32,767 bytes) in JoinGroup and DescribeGroups answers, and
 * the client's id alone may fill one; ids are opaque to clients, so the prefix is only a hint
 * for people reading `lanes group describe` and is cut here.
 */
export const memberIdPrefixCharsMax = 255;

/**
 * Partitions one transaction may span (AddPartitionsToTxn), and partitions whose offsets it may
 * stage across its groups (TxnOffsetCommit). Every state change of a transaction writes its whole
 * metadata as one record of the transaction state log, and the transaction coordinator holds it
 * in memory; the record's size is bounded too (txnRecordBytesMax). Kafka has no such bound; a
 * transaction past it is refused (INVALID_REQUEST).
 */
export const txnPartitionsMax = 2_000;

/**
 * Transactional ids one shard's transaction coordinator keeps. Kafka keeps every id until it
 * expires (7 days idle), so a client inventing ids in a loop grows its memory without end; here a
 * new id past the bound evicts the id idle the longest (as its expiration would, early: a producer
 * of the evicted id is still fenced, with INVALID_PRODUCER_ID_MAPPING), and when none is idle the
 * new id waits (CONCURRENT_TRANSACTIONS, retriable) for a transaction to end or time out.
 */
export const txnIdsPerShardMax = 10_000;
export const txnStagedOffsetsMax = 2_000;

/**
 * The transaction state log's largest record value (one transaction's whole state): a change that
 * would make it larger (very many partitions or groups, long commit metadata) is refused with
 * INVALID_REQUEST and not applied, so the log never holds a record replay or a batch could not
 * take. The log's batches stay within txnStateBatchBytesMax: a batch holds either results of at
 * most stateLogBatchRecordBytesMax together or one result (a record and its key, which the value
 * repeats).
 */
export const txnRecordBytesMax = 384 * 1024;

/**
 * The transaction state log's largest batch and, in memory, its segment size: every shard keeps
 * one such log, so in memory it takes one segment of the shard's arena, kept small.
 */
export const txnStateBatchBytesMax = 1 * MiB;

/**
 * Key and value bytes a coordinator's state log (the offsets log, the transaction state log)
 * packs into one batch, by group commit or snapshot, cut only between results: well under either
 * log's batch size limit, with room for the per-record headers of even tiny records (~20 bytes
 * each for a few thousand records).
 */
export const stateLogBatchRecordBytesMax = 256 * 1024;

/**
 * Offsets-log bytes (key and value) one OffsetCommit may write: a larger commit (thousands of
 * partitions with long metadata) is answered INVALID_COMMIT_OFFSET_SIZE on every partition and
 * changes nothing, as Kafka refuses a commit whose records exceed its offsets topic's batch
 * limit. So one commit's records always fit one batch of the offsets log, which a group commit
 * never splits. Kafka's own limit is its 1 MiB batch; this is half of ours, leaving room for the
 * per-record headers.
 */
export const offsetCommitRecordBytesMax = 2 * stateLogBatchRecordBytesMax;

/**
 * A consumer group member's SubscribedTopicRegex (KIP-848). Kafka runs these with RE2J, whose
 * time is linear; JavaScript's backtracking engine is not, and a client's pattern runs on the
 * coordinator's shard against every topic name. So Lanes takes patterns up to this many
 * characters, with at most `subscriptionRegexQuantifiersMax` unbounded quantifiers (*, +, {n,})
 * and neither a quantifier nor an alternation inside a quantified group, no backreferences and no
 * lookaround: matching a topic name (at most 249 characters) then backtracks polynomially, at most
 * ~249^3 steps for an adversarial pattern, and patterns are matched only when they or the topics
 * change. Anything else is answered INVALID_REGULAR_EXPRESSION.
 */
export const subscriptionRegexCharsMax = 255;
export const subscriptionRegexQuantifiersMax = 2;

/**
 * ListTransactions v2's transactional id pattern (KIP-1152), a Java regular expression matched
 * against every transactional id the coordinator lists, on the main thread. Lanes matches it with
 * a linear-time engine (core/linear_regex.ts): each id costs at most (program size × id length)
 * steps, so the pattern is bounded in characters and in compiled size (counted repetitions such
 * as {1000} multiply it). Patterns over these bounds, or using what that engine lacks
 * (backreferences, lookaround...), are answered INVALID_REQUEST; a malformed one
 * INVALID_REGULAR_EXPRESSION, as Kafka does.
 */
export const txnIdPatternCharsMax = 255;
export const txnIdPatternProgramMax = 2048;

/**
 * Topics one consumer group member may subscribe to by name: every heartbeat that carries the
 * list is checked against the shard's topics, so the list is bounded like any other request part.
 */
export const subscribedTopicNamesMax = 10_000;

/**
 * Bounds on a `lanes lab` scenario (core/lab/): a scenario is a file a user hands the CLI, and
 * both engines and the report grow with it. The virtual engine steps through simulated time, so
 * its cost grows with the duration in steps and with partitions times members per rebalance; the
 * report keeps one number per series per sample, so partitions × groups × samples bounds its size
 * (labReportPointsMax numbers is ~20 MB of JSON, which a browser still charts). Generous for any
 * design one machine can study: the largest has 128 partitions and 100 members for an hour.
 */
export const labDurationMsMax = 24 * 60 * 60 * 1000;
export const labTopicPartitionsMax = 4_096;
export const labTopicsMax = 64;
export const labGroupsMax = 32;
export const labGroupMembersMax = 1_024;
export const labProducersMax = 64;
export const labTimelineEventsMax = 10_000;
/** Distinct keys of one producer: the engine hashes each once to learn its partition. */
export const labKeysMax = 1_000_000;
/** Records per second of one producer or member (10 million: ten times the largest design). */
export const labRatePerSecMax = 10_000_000;
/** Samples per series: a chart a few thousand pixels wide shows no more. */
export const labSamplesMax = 5_000;
export const labReportPointsMax = 2_000_000;

/**
 * Records per second, produced in all, that a real-time lab run scales its rates down to
 * (actors/lab/real_engine.ts). A shared 2-core machine runs the broker, the producers and every
 * member's thread at once; past a few thousand records/s the members' timers, not the design,
 * decide the figures.
 */
export const labRealRecordsPerSecMax = 5_000;
/**
 * Threads a real-time lab run spreads its group members over (members take turns, so a group's
 * members sit on different threads). A member is async work (its client's sockets and timers,
 * processing slept off), so a thread carries many; what a thread costs is its isolate (its heap,
 * its garbage collector, its start-up): with a thread each, 1m-events' 100 members did not finish
 * joining within the run's minute on 2 cores.
 */
export const labRealMemberThreadsMax = 4;
/** The real engine's finest sampling: timers and the members' reports are not finer than this. */
export const labRealSampleEveryMsMin = 50;
/**
 * The most a real-time lab run compresses time (`--time-scale`): an hour in one second. Past it
 * the scenario's timeouts round to 1 ms and its shape is lost to rounding.
 */
export const labRealTimeScaleMax = 3_600;

/**
 * ACL bindings the broker keeps. Every authorized request scans the bindings of its resource
 * type, and the whole list is rewritten to the data directory on each change, so the count is
 * bounded; Kafka has no fixed bound, but deployments with more than a few thousand ACLs use
 * prefixed patterns instead. CreateAcls past it answers INVALID_REQUEST.
 */
export const aclBindingsMax = 10_000;

/**
 * Polling a ring before parking on its doorbell (actors/ring/spin_policy.ts), OFF (0) by default:
 * on the 2-vCPU machine a poll takes the core the other side needs. Measured (BENCHMARKS.md,
 * "Per-request path"): with the shard polling 100 µs, single-record Produce at 1 in flight fell
 * from 4,450 to 2,930 requests/s and CPU per request rose from 210 to 340 µs (load 3-4); with both
 * sides polling (shard 100 µs, host 200 µs) the rate at 5 in flight fell from 12,600 to 11,200.
 * shardPollBudgetUs: how long a worker shard that ran dry polls its request ring (µs);
 * hostPollBudgetUs: how long the host's reply pump polls for replies while requests are in
 * flight (one look per event-loop turn). Polls rest after ringPollMissesToRest misses in a row,
 * and while resting one probe every ringPollProbeEveryParks parks tries again.
 */
export const shardPollBudgetUs = 0;
export const hostPollBudgetUs = 0;
export const ringPollMissesToRest = 4;
export const ringPollProbeEveryParks = 16;

assert(recordBatchBytesMaxDefault < frameBytesMax, 'a batch must fit in one frame');
assert(recordBatchBytesMaxDefault <= segmentBytesDefault, 'a batch must fit in one segment');
assert(segmentBytesDefault <= segmentBytesMax, 'the default segment size is a legal one');
assert(indexIntervalBytesDefault < segmentBytesDefault, 'an index entry per segment at least');
assert(segmentWalkFirstWindowBytes <= segmentWalkWindowBytes && segmentWalkFirstWindowBytes >= 61, 'a first walk window holds a batch header and grows to the largest');
assert(decompressedRecordsBytesMax >= 16 * recordBatchBytesMaxDefault, 'room for real compression ratios');
assert(decompressedRecordsBytesMax < 2 ** 31, 'record positions inside the plain records are int32');
assert(errorMessageCharsMax * 3 <= 0x7fff, 'an error message fits a protocol string');
assert(segmentWriteBufferBytesInitial <= segmentWriteBufferBytesDefault, 'a segment starts with at most its usual write buffer');
assert(memberIdPrefixCharsMax * 3 + 64 < 0x7fff, 'a member id fits a protocol string');
assert(quotedValueCharsMax * 4 < errorMessageCharsMax, 'a message can quote a few values in full');
assert(queuedRequestBytesMaxDefault >= frameBytesMax, 'the request budget admits the largest frame');
assert(connectionResponseBytesLow < connectionResponseBytesHigh, 'queued responses drain below where they stopped');
assert(connectionResponseBytesHigh < responseBytesMaxDefault, 'one connection cannot hold the whole response budget');
assert(connectionsPerAddressMaxDefault <= connectionsMaxDefault, 'per address within the total');
assert(saslFrameBytesMax < frameBytesMax, 'frames before SASL authentication are capped below all others');
assert(2 * txnRecordBytesMax + 64 * 1024 <= txnStateBatchBytesMax, 'a transaction state result (key and value) fits one batch of its log');
assert(2 * stateLogBatchRecordBytesMax <= Math.min(txnStateBatchBytesMax, recordBatchBytesMaxDefault), 'a state log batch of several results fits either log, headers included');
assert(labSamplesMax <= labReportPointsMax, 'at least one series fits a report');
