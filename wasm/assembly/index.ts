// Entry of the AssemblyScript kernels. Every export takes raw pointers into the one shared
// WebAssembly.Memory; the host (wasm/shared_memory.ts, wasm/kernels.ts) owns the layout. No
// managed allocation and no mutable statics here: see wasm/README.md for why.
import { crc32cTableBytes as tableBytes } from './crc32c';

export { crc32cInit, crc32c, crc32cUpdate, crc32cCopy } from './crc32c';
export { validateRecordBatch, validateAndCopy } from './record_batch';
export { indexLookup } from './offset_index';
export { stickyEqual, stickyDifferent, rangeOwners, roundRobinOwners } from './assign';

/**
 * The end of this module's static data (`__heap_base`). The host reserves the memory below its
 * first region for it and checks at instantiation that this fits: each instantiation re-applies
 * the data segments there.
 */
export function staticEnd(): usize {
  return __heap_base;
}

/** Bytes of CRC-32C tables crc32cInit writes at `table`; the host checks its reservation matches. */
export function crc32cTableBytes(): usize {
  return tableBytes;
}
