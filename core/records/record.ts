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

/**
 * A record read back from a batch (record_reader.ts). Where the batch was uncompressed, key,
 * value and header values are views of the bytes it was read from, not copies.
 */
export interface RecordOutput {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  /** The record belongs to a control batch (a transaction marker), which consumers skip. */
  isControl: boolean;
}
