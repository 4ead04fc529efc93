// Serving a fetch on the host thread straight from shared memory: read the partition's directory
// slot, find the batch that contains the fetch offset in the listed in-memory segments, and hand
// out views of whole batches. No copy, no round trip to the shard. The caller pins an epoch
// before calling (see ../epochs.ts) so the segments cannot be recycled under its views.
import { ErrorCode, LanesError } from '../../core/errors.js';
import { findBatchPosition } from '../../core/log/offset_index.js';
import { batchTotalBytes } from '../../core/records/record_batch.js';
import type { PartitionDirectory } from '../shard/partition_directory.js';

export interface SharedRead {
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
}

/**
 * Returns the batches, or null when the wanted bytes are not (all) in shared memory and the
 * shard must serve the fetch. Throws OFFSET_OUT_OF_RANGE like the log would, but only below the
 * log start: an offset past the published high watermark goes to the shard, because the
 * directory may lag what the shard already told the client (a fetch or produce answer can become
 * visible before the turn that wrote it publishes the directory). The shard's log decides.
 */
export function readShared(
  directory: PartitionDirectory,
  actorId: number,
  fetchOffset: number,
  maxBytes: number,
  buffer: SharedArrayBuffer,
): SharedRead | null {
  const snapshot = directory.read(actorId);
  if (snapshot === null) return null;
  const { highWatermark, logStartOffset, segments } = snapshot;
  if (fetchOffset > highWatermark) return null;
  if (fetchOffset < logStartOffset) {
    throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} is outside [${logStartOffset}, ${highWatermark}]`);
  }
  if (fetchOffset === highWatermark) return { batches: [], highWatermark, logStartOffset };
  if (segments.length === 0 || fetchOffset < segments[0].baseOffset) return null;

  let index = segments.length - 1;
  while (segments[index].baseOffset > fetchOffset) index--;
  const batches: Uint8Array[] = [];
  let total = 0;
  for (let first = true; index < segments.length; index++, first = false) {
    const segment = segments[index];
    const bytes = new Uint8Array(buffer, segment.bytesPtr, segment.committedBytes);
    let position = 0;
    if (first) {
      const entries = new Uint32Array(buffer, segment.indexPtr, segment.indexCount * 2);
      position = findBatchPosition(bytes, segment.committedBytes, entries, segment.indexCount, segment.baseOffset, fetchOffset);
      if (position < 0) return null;
    }
    while (position < segment.committedBytes) {
      const size = batchTotalBytes(bytes, position);
      if (batches.length > 0 && total + size > maxBytes) return { batches, highWatermark, logStartOffset };
      batches.push(bytes.subarray(position, position + size));
      total += size;
      position += size;
    }
  }
  return { batches, highWatermark, logStartOffset };
}
