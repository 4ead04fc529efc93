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

/** Kafka's segment.bytes default is 1 GiB; segments in memory are smaller so rolls are cheap. */
export const segmentBytesDefault = 64 * MiB;

/** A sparse index entry every this many bytes of log (Kafka's index.interval.bytes). */
export const indexIntervalBytesDefault = 4096;

assert(recordBatchBytesMaxDefault < frameBytesMax, 'a batch must fit in one frame');
assert(recordBatchBytesMaxDefault <= segmentBytesDefault, 'a batch must fit in one segment');
assert(indexIntervalBytesDefault < segmentBytesDefault, 'an index entry per segment at least');
