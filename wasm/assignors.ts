// The assignor registry with the WASM assignment kernel wired in: what the embedded client's
// leader asks for an assignor by protocol name. Large sticky and cooperative-sticky assignments
// run through the kernel, everything else in TS (thresholds and measurements in
// core/assignors/kernel_choice.ts); the assignment is the same either way.
//
// The kernel is compiled on the first assignment large enough to want it, once per thread, on a
// memory of its own (wasm/assignment_kernel.ts says why not the broker's). If the module cannot
// be loaded (wasm/build missing: `npm run build:wasm` was not run), assignments run in TS, with
// one process warning saying so.

import type { PartitionAssignor } from '../core/assignors/assignor.js';
import type { AssignmentKernel } from '../core/assignors/assignment_kernel.js';
import { assignorFor as coreAssignorFor } from '../core/assignors/registry.js';
import { createWasmAssignmentKernel } from './assignment_kernel.js';

let kernel: AssignmentKernel | null | undefined;

/** The release kernel for this thread, or null (with a warning, once) when it cannot be loaded. */
export function defaultAssignmentKernel(): AssignmentKernel | null {
  if (kernel === undefined) {
    try {
      kernel = createWasmAssignmentKernel();
    } catch (error) {
      kernel = null;
      process.emitWarning(`lanes: the WASM assignment kernel is unavailable, assignments run in TS (${String(error)})`);
    }
  }
  return kernel;
}

/** core/assignors/registry.ts's assignorFor, choosing TS or WASM per call by size. */
export function assignorFor(protocolName: string): PartitionAssignor | undefined {
  return coreAssignorFor(protocolName, defaultAssignmentKernel);
}
