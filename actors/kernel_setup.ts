// Chooses and prepares the batch kernels once, on the main thread: compiles the WASM module and
// fills the CRC-32C tables in shared memory (every shard instance then reads them). When the
// module is missing (an install without the WASM build) the TypeScript twins serve instead, and
// the log says so.
import { compileKernels } from '../wasm/loader.js';
import { createWasmBatchKernels } from '../wasm/kernels.js';
import type { Logger } from './logger.js';

export function prepareKernelModule(memory: WebAssembly.Memory, crcTablePtr: number, logger: Logger): WebAssembly.Module | null {
  try {
    const module = compileKernels();
    createWasmBatchKernels({ module, memory, crcTablePtr, initTable: true });
    return module;
  } catch (error) {
    logger.warn({ err: error }, 'WASM kernels unavailable; using the TypeScript kernels');
    return null;
  }
}
