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

assert(recordBatchBytesMaxDefault < frameBytesMax, 'a batch must fit in one frame');
assert(recordBatchBytesMaxDefault <= segmentBytesDefault, 'a batch must fit in one segment');
assert(indexIntervalBytesDefault < segmentBytesDefault, 'an index entry per segment at least');
assert(decompressedRecordsBytesMax >= 16 * recordBatchBytesMaxDefault, 'room for real compression ratios');
assert(decompressedRecordsBytesMax < 2 ** 31, 'record positions inside the plain records are int32');
