// Helpers shared by the log's unit, property and crash tests: deterministic batches, the bad
// inputs the log must refuse, a fake clock, and what a stored batch should look like.
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { BatchField, patchBatch, writeInt32 } from '../../../core/records/record_batch.js';
import { resealBatch, rewriteOffsetDelta } from '../../support/arbitraries.js';
import { seededRecords } from '../../support/seeded_records.mjs';
import type { Clock } from '../../../core/clock.js';

export class FakeClock implements Clock {
  constructor(public now = 1_700_000_000_000) {}
  nowMs(): number {
    return this.now;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

/** A batch of `recordCount` records whose values are derived from `seed` (xorshift), CreateTime `timestamp`. */
export function seededBatch(seed: number, recordCount: number, valueBytes: number, timestamp = 1_000): Uint8Array {
  return encodeRecordBatch(seededRecords(seed, recordCount, valueBytes, timestamp), { baseTimestamp: timestamp });
}

/** The batch as the log stores it: baseOffset patched, partitionLeaderEpoch 0. */
export function asStored(batch: Uint8Array, baseOffset: number): Uint8Array {
  const copy = batch.slice();
  patchBatch(copy, 0, baseOffset, 0);
  return copy;
}

export type BadBatchKind = 'crc' | 'magic' | 'lengthPastBytes' | 'offsetDeltas' | 'tooLarge';

/** Bad inputs with the Kafka error code the log must answer with. */
export const badBatchCodes: Record<BadBatchKind, number> = { crc: 2, magic: 2, lengthPastBytes: 2, offsetDeltas: 87, tooLarge: 10 };

export function badBatch(kind: BadBatchKind, maxBatchBytes: number): Uint8Array {
  switch (kind) {
    case 'crc': {
      const batch = seededBatch(7, 3, 10);
      batch[batch.length - 1] ^= 0x40;
      return batch;
    }
    case 'magic': {
      const batch = seededBatch(7, 3, 10);
      batch[BatchField.magic] = 1;
      return batch;
    }
    case 'lengthPastBytes': {
      const batch = seededBatch(7, 3, 10);
      writeInt32(batch, BatchField.batchLength, batch.length - 12 + 5);
      return batch;
    }
    case 'offsetDeltas': {
      const batch = seededBatch(7, 3, 10);
      rewriteOffsetDelta(batch, 1, 2);
      return resealBatch(batch);
    }
    case 'tooLarge':
      return seededBatch(7, 1, maxBatchBytes);
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
