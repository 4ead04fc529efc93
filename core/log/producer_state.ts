// Idempotent-producer state of one partition: for each producer id, its current epoch, the
// coordinator epoch of its last transaction marker, and the sequence ranges and offsets of its
// last five batches (Kafka's ProducerStateManager; which transactions are open and which were
// aborted is transactions.ts's). The log asks `check` before it appends an idempotent batch and calls `onAppend`
// once the batch is stored, so the check and the append are one step on the partition's thread.
//
// Rules (Kafka's ProducerAppendInfo, as of KIP-360):
//   - producerId −1: not idempotent, never looked at.
//   - same epoch, (firstSeq, lastSeq) equal to one of the last five batches: a duplicate (a retry
//     whose first attempt was stored). It is answered with the stored batch's offsets and not
//     appended again.
//   - epoch below the producer's: INVALID_PRODUCER_EPOCH (47). Kafka answers Produce with 47
//     rather than PRODUCER_FENCED (90) since 2.7, so the client can recover.
//   - epoch above the producer's: a bumped producer; its first batch must have sequence 0, else
//     OUT_OF_ORDER_SEQUENCE_NUMBER (45).
//   - same epoch: firstSeq must follow the last stored sequence (Int32 max wraps to 0), else 45.
//   - a producer id with no state (new, or its batches were all deleted by retention): any
//     sequence is accepted, as Kafka does since KIP-360; UNKNOWN_PRODUCER_ID (59) is not used.
//   - a transaction marker (`checkMarker`, `onMarker`): an epoch below the producer's is
//     INVALID_PRODUCER_EPOCH (47), a coordinator epoch below the last marker's is
//     TRANSACTION_COORDINATOR_FENCED (52: a stale coordinator). A marker of a higher epoch (the
//     coordinator fenced the producer and aborted its transaction) moves the producer to it and
//     forgets its batches; its next batch then starts at any sequence, as for a producer this
//     partition has no batch of (Kafka would ask for 0; a producer whose batches lie before the
//     segments replayed on open looks the same, and must not be refused).
//
// Every field comes off the wire, so `check` validates each one before using it (epoch and base
// sequence in 0..Int16/Int32 max, lastOffsetDelta in 0..Int32 max, a producer id a JS number
// holds exactly) and refuses a bad one with INVALID_RECORD (87); no value a client sends reaches
// an assert. The log checks the batch itself (frame, CRC, record count) before it asks here.
//
// Pure and single-threaded: no clock, no I/O. The log rebuilds it from stored batch headers on
// open and after a truncation (see log.ts).

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';

/** Batches remembered per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const producerBatchesRetained = 5;

const sequenceMax = 0x7fff_ffff;

/** The sequence `count` records after `sequence`, wrapping from Int32 max to 0 as Kafka does. */
export function sequenceAfter(sequence: number, count: number): number {
  assert(sequence >= 0 && sequence <= sequenceMax && count >= 0, `sequence ${sequence} + ${count}`);
  return (sequence + count) % (sequenceMax + 1);
}

/** One stored batch of a producer: its sequence range and offsets. */
export interface ProducerBatch {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** Oldest first, at most producerBatchesRetained, all of `epoch`; empty after a marker bumped the epoch. */
  batches: ProducerBatch[];
  /** The coordinator epoch of the producer's last transaction marker here, −1 before any. */
  coordinatorEpoch: number;
  /** The offset of the producer's last batch or marker here (retention forgets it below the log start). */
  lastOffset: number;
}

/** The fields of a transaction marker the producer state checks. */
export interface MarkerHeader {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

/** The idempotence fields of a batch header. */
export interface ProducerBatchHeader {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

const epochMax = 0x7fff;

/**
 * Why an idempotent batch header cannot be tracked, or null when it can. The fields are int16 and
 * int32 on the wire, but a caller may hand any number, so each range is checked in full.
 */
function headerProblem(header: ProducerBatchHeader): string | null {
  const { producerId, producerEpoch, baseSequence, lastOffsetDelta } = header;
  // Ids above 2^53 would collide as map keys; the broker hands out small ids (InitProducerId).
  if (!Number.isSafeInteger(producerId)) return `producer id ${producerId} is beyond 2^53`;
  if (!Number.isInteger(producerEpoch) || producerEpoch < 0 || producerEpoch > epochMax) {
    return `epoch ${producerEpoch}; an idempotent batch needs an epoch in 0..${epochMax}`;
  }
  if (!Number.isInteger(baseSequence) || baseSequence < 0 || baseSequence > sequenceMax) {
    return `base sequence ${baseSequence}; an idempotent batch needs a sequence in 0..${sequenceMax}`;
  }
  if (!Number.isInteger(lastOffsetDelta) || lastOffsetDelta < 0 || lastOffsetDelta > sequenceMax) {
    return `lastOffsetDelta ${lastOffsetDelta}; a batch needs one in 0..${sequenceMax}`;
  }
  return null;
}

/** True when `onAppend` can record this header (recovery skips batches for which it is not). */
export function isValidProducerHeader(header: ProducerBatchHeader): boolean {
  return header.producerId >= 0 && headerProblem(header) === null;
}

export class ProducerStateTable {
  readonly #producers = new Map<number, ProducerEntry>();

  get producerCount(): number {
    return this.#producers.size;
  }

  /** The producer's epoch and remembered batches, oldest first (tests and diagnostics). */
  describe(producerId: number): { epoch: number; batches: readonly ProducerBatch[] } | undefined {
    const entry = this.#producers.get(producerId);
    return entry === undefined ? undefined : { epoch: entry.epoch, batches: [...entry.batches] };
  }

  /** Every remembered producer: its epoch and its newest stored batch (DescribeProducers). */
  *latestBatches(): Generator<{ producerId: number; epoch: number; batch: ProducerBatch }> {
    for (const [producerId, entry] of this.#producers) yield { producerId, epoch: entry.epoch, batch: entry.batches.at(-1)! };
  }

  /** The coordinator epoch of the producer's last marker here, −1 before any or when unknown. */
  coordinatorEpochOf(producerId: number): number {
    return this.#producers.get(producerId)?.coordinatorEpoch ?? -1;
  }

  /**
   * Whether an idempotent batch may be appended: null when it may, the stored batch when it is a
   * duplicate. Throws a LanesError (45, 47, 87) when it must be refused. Changes nothing.
   */
  check(header: ProducerBatchHeader): ProducerBatch | null {
    const { producerId, producerEpoch, baseSequence, lastOffsetDelta } = header;
    assert(producerId >= 0, 'only idempotent batches are checked');
    const problem = headerProblem(header);
    if (problem !== null) throw new LanesError(ErrorCode.INVALID_RECORD, `producer ${producerId}: ${problem}`);
    const entry = this.#producers.get(producerId);
    if (entry === undefined) return null;
    const lastSequence = sequenceAfter(baseSequence, lastOffsetDelta);
    if (producerEpoch === entry.epoch) {
      for (const batch of entry.batches) {
        if (batch.firstSequence === baseSequence && batch.lastSequence === lastSequence) return batch;
      }
    }
    if (producerEpoch < entry.epoch) {
      throw new LanesError(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${producerId} epoch ${producerEpoch} is older than the current epoch ${entry.epoch}`);
    }
    if (producerEpoch > entry.epoch) {
      if (baseSequence !== 0) {
        throw new LanesError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${producerId} starts epoch ${producerEpoch} at sequence ${baseSequence}; a new epoch starts at 0`);
      }
      return null;
    }
    const last = entry.batches.at(-1);
    // No batch of this epoch (a marker bumped it): any sequence, as for an unknown producer.
    if (last === undefined) return null;
    if (baseSequence !== sequenceAfter(last.lastSequence, 1)) {
      throw new LanesError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${producerId} epoch ${producerEpoch}: expected sequence ${sequenceAfter(last.lastSequence, 1)}, got ${baseSequence}`,
      );
    }
    return null;
  }

  /**
   * Records a stored idempotent batch, after `check` let it through, or during recovery for a
   * header `isValidProducerHeader` accepts (a caller that skips both has a bug: asserted).
   */
  onAppend(header: ProducerBatchHeader, baseOffset: number): void {
    const { producerId, producerEpoch, baseSequence, lastOffsetDelta } = header;
    assert(producerId >= 0 && headerProblem(header) === null, `producer ${producerId} batch with epoch ${producerEpoch}, sequence ${baseSequence}, lastOffsetDelta ${lastOffsetDelta}`);
    const batch: ProducerBatch = {
      firstSequence: baseSequence,
      lastSequence: sequenceAfter(baseSequence, lastOffsetDelta),
      baseOffset,
      lastOffset: baseOffset + lastOffsetDelta,
    };
    const entry = this.#producers.get(producerId);
    if (entry === undefined || producerEpoch !== entry.epoch) {
      // A new producer or a new epoch: earlier batches can no longer be retried.
      this.#producers.set(producerId, { epoch: producerEpoch, batches: [batch], coordinatorEpoch: entry?.coordinatorEpoch ?? -1, lastOffset: batch.lastOffset });
      return;
    }
    entry.lastOffset = batch.lastOffset;
    entry.batches.push(batch);
    if (entry.batches.length > producerBatchesRetained) entry.batches.shift();
    assert(entry.batches.length <= producerBatchesRetained, 'at most five batches per producer');
  }

  /**
   * Whether a transaction marker may be appended for its producer; throws a LanesError (47, 52)
   * when it must be refused. Changes nothing. A producer with no state takes any marker: a
   * coordinator retrying after a crash writes markers that may find nothing to close.
   */
  checkMarker(marker: MarkerHeader): void {
    const entry = this.#producers.get(marker.producerId);
    if (entry === undefined) return;
    if (marker.producerEpoch < entry.epoch) {
      throw new LanesError(ErrorCode.INVALID_PRODUCER_EPOCH, `marker for producer ${marker.producerId} has epoch ${marker.producerEpoch}, older than the current epoch ${entry.epoch}`);
    }
    if (marker.coordinatorEpoch < entry.coordinatorEpoch) {
      throw new LanesError(ErrorCode.TRANSACTION_COORDINATOR_FENCED, `marker for producer ${marker.producerId} has coordinator epoch ${marker.coordinatorEpoch}, older than ${entry.coordinatorEpoch}`);
    }
  }

  /** Records a stored transaction marker at `offset` (after `checkMarker`, or during recovery). */
  onMarker(marker: MarkerHeader, offset: number): void {
    assert(Number.isSafeInteger(marker.producerId) && marker.producerId >= 0, `marker producer id ${marker.producerId}`);
    const entry = this.#producers.get(marker.producerId);
    if (entry === undefined || marker.producerEpoch !== entry.epoch) {
      this.#producers.set(marker.producerId, { epoch: marker.producerEpoch, batches: [], coordinatorEpoch: marker.coordinatorEpoch, lastOffset: offset });
      return;
    }
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    entry.lastOffset = offset;
  }

  /**
   * Forgets producers whose last batch lies wholly below `logStartOffset` (retention or
   * DeleteRecords removed it), as Kafka does; their next batch is accepted with any sequence.
   */
  removeBefore(logStartOffset: number): void {
    for (const [producerId, entry] of this.#producers) {
      if (entry.lastOffset < logStartOffset) this.#producers.delete(producerId);
    }
  }

  clear(): void {
    this.#producers.clear();
  }
}
