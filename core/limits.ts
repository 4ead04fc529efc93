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

/** A sparse index entry every this many bytes of log (Kafka's index.interval.bytes). */
export const indexIntervalBytesDefault = 4096;

/**
 * Smallest window of a segment read at once when walking batch headers through a store (file
 * storage copies each read into a fresh buffer): large enough that a walk over many small batches
 * costs few reads, small enough that the copy stays cheap beside the batch it locates.
 */
export const segmentWalkWindowBytes = 64 * 1024;

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

assert(recordBatchBytesMaxDefault < frameBytesMax, 'a batch must fit in one frame');
assert(recordBatchBytesMaxDefault <= segmentBytesDefault, 'a batch must fit in one segment');
assert(indexIntervalBytesDefault < segmentBytesDefault, 'an index entry per segment at least');
assert(decompressedRecordsBytesMax >= 16 * recordBatchBytesMaxDefault, 'room for real compression ratios');
assert(decompressedRecordsBytesMax < 2 ** 31, 'record positions inside the plain records are int32');
