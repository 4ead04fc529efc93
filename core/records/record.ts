// A record as producers and consumers see it. Inside a batch, offsets and timestamps are stored
// as deltas from the batch's base; these types carry the absolute values.

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** What a producer supplies for one record. */
export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to the batch's base timestamp. */
  timestamp?: number;
}

/** A record read back from a batch. */
export interface RecordOutput {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}
