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
 * Error messages sent to clients are cut to this many UTF-16 units (at most 3 UTF-8 bytes each):
 * a message may quote what the client sent (a 32,767-byte topic name, a config value), and the
 * whole message must still fit a protocol string (32,767 bytes). A reader needs the start only.
 */
export const errorMessageCharsMax = 1000;

/** Positions inside a segment are u32 in the indexes and int32 on the wire: a segment stays below 2 GiB. */
export const segmentBytesMax = 0x7fff_ffff;

/** A sparse index entry every this many bytes of log (Kafka's index.interval.bytes). */
export const indexIntervalBytesDefault = 4096;

assert(recordBatchBytesMaxDefault < frameBytesMax, 'a batch must fit in one frame');
assert(recordBatchBytesMaxDefault <= segmentBytesDefault, 'a batch must fit in one segment');
assert(errorMessageCharsMax * 3 <= 0x7fff, 'a cut error message fits a protocol string');
assert(segmentBytesDefault <= segmentBytesMax, 'the default segment size is a legal one');
assert(indexIntervalBytesDefault < segmentBytesDefault, 'an index entry per segment at least');
assert(decompressedRecordsBytesMax >= 16 * recordBatchBytesMaxDefault, 'room for real compression ratios');
assert(decompressedRecordsBytesMax < 2 ** 31, 'record positions inside the plain records are int32');
