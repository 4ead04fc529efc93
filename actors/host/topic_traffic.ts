// Records and bytes into and out of each topic since the broker started: what a produce appended
// and what a fetch read (every batch Broker.fetch returned, whichever client asked; a Fetch
// response may leave the tail of the last one to the next request). Counted on the main thread in
// Broker.produce and Broker.fetch, read on scrape as Prometheus counters (admin/metrics.ts).
// A deleted topic's counts go with it (its series disappear, as a deleted topic's should).
import { BatchField, batchTotalBytes, readInt32 } from '../../core/records/record_batch.js';

export interface TopicTrafficCounts {
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  bytesOut: number;
}

export class TopicTraffic {
  readonly #byTopic = new Map<string, TopicTrafficCounts>();

  #counts(topic: string): TopicTrafficCounts {
    let counts = this.#byTopic.get(topic);
    if (counts === undefined) {
      counts = { recordsIn: 0, bytesIn: 0, recordsOut: 0, bytesOut: 0 };
      this.#byTopic.set(topic, counts);
    }
    return counts;
  }

  countIn(topic: string, records: number, bytes: number): void {
    const counts = this.#counts(topic);
    counts.recordsIn += records;
    counts.bytesIn += bytes;
  }

  /** `batches`: whole record batches, one or more per array, as a fetch returns them. */
  countOut(topic: string, batches: readonly Uint8Array[]): void {
    if (batches.length === 0) return;
    const counts = this.#counts(topic);
    for (const bytes of batches) {
      counts.bytesOut += bytes.length;
      for (let at = 0; at + BatchField.records <= bytes.length; at += batchTotalBytes(bytes, at)) {
        counts.recordsOut += readInt32(bytes, at + BatchField.recordCount);
      }
    }
  }

  forget(topic: string): void {
    this.#byTopic.delete(topic);
  }

  entries(): IterableIterator<[string, Readonly<TopicTrafficCounts>]> {
    return this.#byTopic.entries();
  }
}
