// The transactions of one partition: which producers have a transaction open here (and the
// offset of its first batch), and which transactions were aborted (Kafka's .txnindex), so that
// Fetch in read_committed can answer the last stable offset and the aborted transactions of
// the range it returns.
//
//   - A producer's first transactional batch after its last marker opens its transaction here,
//     at that batch's base offset.
//   - A marker (a control batch the coordinator had written) closes it; an ABORT marker records
//     (producerId, firstOffset, marker offset) in the aborted list. A marker for a producer with
//     no open transaction changes nothing here (a coordinator's retry after a crash, as Kafka).
//   - The last stable offset (LSO) is the first offset of the oldest open transaction, or the
//     high watermark when none is open; never below the log start.
//
// Aborted entries are appended in marker order, so the list is sorted by lastOffset; retention
// drops the entries whose marker lies below the log start. Nothing is kept but what the log
// holds: the log rebuilds this from its batches on open and after a truncation (log.ts).
//
// Pure and single-threaded: no clock, no I/O.
import { assert } from '../assert.js';

export interface AbortedTxn {
  producerId: number;
  /** The offset of the transaction's first batch in this partition. */
  firstOffset: number;
  /** The offset of its ABORT marker. */
  lastOffset: number;
}

export class TransactionIndex {
  /** producer id → first offset of its open transaction. */
  readonly #open = new Map<number, number>();
  /** Sorted by lastOffset (marker order). */
  #aborted: AbortedTxn[] = [];

  get openCount(): number {
    return this.#open.size;
  }

  get abortedCount(): number {
    return this.#aborted.length;
  }

  /** The first offset of the producer's open transaction, or −1. */
  openFirstOffset(producerId: number): number {
    return this.#open.get(producerId) ?? -1;
  }

  /** A transactional batch of `producerId` stored at `baseOffset`: opens its transaction if none is. */
  onData(producerId: number, baseOffset: number): void {
    if (!this.#open.has(producerId)) this.#open.set(producerId, baseOffset);
  }

  /** A marker of `producerId` stored at `offset`: closes its transaction; returns the aborted entry, if one was made. */
  onMarker(producerId: number, committed: boolean, offset: number): AbortedTxn | null {
    const firstOffset = this.#open.get(producerId);
    if (firstOffset === undefined) return null;
    this.#open.delete(producerId);
    if (committed) return null;
    assert(firstOffset < offset, `producer ${producerId}: transaction from ${firstOffset} aborted by a marker at ${offset}`);
    const last = this.#aborted.at(-1);
    assert(last === undefined || last.lastOffset < offset, 'markers are appended in offset order');
    const aborted = { producerId, firstOffset, lastOffset: offset };
    this.#aborted.push(aborted);
    return aborted;
  }

  /** The first offset of the oldest open transaction, or null when none is open. */
  get firstUnstableOffset(): number | null {
    let first: number | null = null;
    for (const offset of this.#open.values()) if (first === null || offset < first) first = offset;
    return first;
  }

  /** The LSO: min(oldest open transaction's first offset, high watermark), at least the log start. */
  lastStableOffset(logStartOffset: number, highWatermark: number): number {
    const first = this.firstUnstableOffset;
    return first === null ? highWatermark : Math.min(highWatermark, Math.max(logStartOffset, first));
  }

  /** The marker offset of the newest aborted transaction, or −1: no aborted one reaches past it. */
  get lastAbortedOffset(): number {
    return this.#aborted.at(-1)?.lastOffset ?? -1;
  }

  /**
   * The aborted transactions with data in [fromOffset, toOffset]: those whose marker is at or
   * after `fromOffset` and whose first batch is at or before `toOffset`, oldest marker first.
   */
  abortedBetween(fromOffset: number, toOffset: number): AbortedTxn[] {
    let low = 0;
    let high = this.#aborted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#aborted[middle].lastOffset < fromOffset) low = middle + 1;
      else high = middle;
    }
    const found: AbortedTxn[] = [];
    for (let i = low; i < this.#aborted.length; i++) {
      const entry = this.#aborted[i];
      if (entry.firstOffset <= toOffset) found.push({ ...entry });
    }
    return found;
  }

  /** Forgets aborted transactions whose marker lies below `logStartOffset` (retention, DeleteRecords). */
  removeBefore(logStartOffset: number): void {
    let drop = 0;
    while (drop < this.#aborted.length && this.#aborted[drop].lastOffset < logStartOffset) drop++;
    if (drop > 0) this.#aborted = this.#aborted.slice(drop);
  }

  clear(): void {
    this.#open.clear();
    this.#aborted = [];
  }
}
