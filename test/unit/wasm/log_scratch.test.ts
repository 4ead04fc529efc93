// The WASM validateAndCopy copies while it checks, so a refused batch leaves scratch bytes in the
// range the log reserved for it. That is safe only because the log never commits that range: this
// checks the claim end to end, on a Log over MemoryStorage whose segments live in the shared
// memory (as in the broker) and the WASM kernels. After each refused append the committed bytes,
// the offsets and what reads return are exactly as before; the next good append overwrites the
// scratch and reads back as stored.

import { describe, expect, it } from 'vitest';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage, type SegmentAllocator } from '../../../core/log/memory_storage.js';
import { BatchField, writeInt32 } from '../../../core/records/record_batch.js';
import { compileKernels } from '../../../wasm/loader.js';
import { createWasmBatchKernels, crc32cTableBytes } from '../../../wasm/kernels.js';
import { createSharedMemory, RegionAllocator } from '../../../wasm/shared_memory.js';
import { resealBatch, rewriteOffsetDelta } from '../../support/arbitraries.js';
import { asStored, concat, FakeClock, seededBatch } from '../log/log_support.js';
import { codeOf } from '../../support/error_code.js';

const MiB = 1024 * 1024;

describe('a Log over shared-memory segments with the WASM kernels', () => {
  it('keeps its committed bytes, offsets and reads unchanged when a batch is refused after the copy began', async () => {
    const memory = createSharedMemory(16 * MiB);
    const regions = RegionAllocator.forMemory(memory);
    const table = regions.allocate(crc32cTableBytes);
    const sourceRegion = regions.allocate(2 * MiB);
    const kernels = createWasmBatchKernels({ module: compileKernels({ debug: true }), memory, crcTablePtr: table.ptr, initTable: true });
    const allocator: SegmentAllocator = {
      allocate: (bytes) => {
        const region = regions.allocate(bytes, 64);
        return new Uint8Array(memory.buffer, region.ptr, bytes);
      },
      release: () => {},
    };
    const log = await Log.open(new MemoryStorage(allocator), { clock: new FakeClock(), kernels, segmentBytes: MiB, maxBatchBytes: 256 * 1024 });
    let sourceNext = 0;
    /** The batch placed in the shared memory (the kernels run only on resident bytes). */
    const resident = (batch: Uint8Array): Uint8Array => {
      const view = new Uint8Array(memory.buffer, sourceRegion.ptr + sourceNext, batch.length);
      view.set(batch);
      sourceNext += Math.ceil(batch.length / 64) * 64;
      return view;
    };

    const first = seededBatch(1, 50, 100);
    expect(log.append(resident(first)).baseOffset).toBe(0);
    const committed = () => {
      const [view] = log.segmentViews();
      return { bytes: view.bytes.slice(0, view.committedBytes), all: view.bytes };
    };
    const before = committed();
    expect(Buffer.from(before.bytes).equals(Buffer.from(asStored(first, 0)))).toBe(true);

    // Refused at the CRC, after the whole batch was copied (many three-stream blocks), and
    // refused in the record walk, after a correct CRC: both leave their bytes past the committed size.
    const badCrc = seededBatch(2, 300, 100);
    badCrc[badCrc.length - 1] ^= 0x40;
    const badWalk = seededBatch(3, 300, 40); // short records: rewriteOffsetDelta needs one-byte lengths
    rewriteOffsetDelta(badWalk, 7, 9);
    resealBatch(badWalk);
    const badHeader = seededBatch(4, 3, 10);
    writeInt32(badHeader, BatchField.batchLength, badHeader.length - 12 + 5);
    for (const [bad, code] of [
      [badCrc, 2],
      [badWalk, 87],
      [badHeader, 2],
    ] as const) {
      expect(codeOf(() => log.append(resident(bad)))).toBe(code);
      expect(log.highWatermark).toBe(50);
      expect(log.sizeBytes).toBe(first.length);
      const after = committed();
      expect(Buffer.from(after.bytes).equals(Buffer.from(before.bytes))).toBe(true);
      const read = log.read(0, MiB);
      expect(read.batches.length).toBe(1);
      expect(Buffer.from(read.batches[0]).equals(Buffer.from(before.bytes))).toBe(true);
    }
    // The claim is exercised, not vacuous: the refused walk-failure batch did land past the
    // committed size, where no reader looks (from its CRC-covered part on; the header-refused
    // batch after it overwrote the 21 bytes before that).
    const scratch = committed().all.subarray(first.length, first.length + badWalk.length);
    expect(Buffer.from(scratch.subarray(BatchField.attributes)).equals(Buffer.from(badWalk.subarray(BatchField.attributes)))).toBe(true);

    // The next good append takes that range, overwrites the scratch, and reads back as stored.
    const second = seededBatch(5, 40, 100);
    expect(log.append(resident(second)).baseOffset).toBe(50);
    const read = log.read(0, MiB);
    expect(Buffer.from(concat(read.batches)).equals(Buffer.from(concat([asStored(first, 0), asStored(second, 50)])))).toBe(true);
  });
});
