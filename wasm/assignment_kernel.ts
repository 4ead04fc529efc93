// The WASM AssignmentKernel (core/assignors/assignment_kernel.ts): wasm/assembly/assign.ts behind
// the interface the assignors take, on a memory of its own.
//
// Why not the broker's shared memory: assignment runs in the group leader, which is the embedded
// client, often in a process with no broker at all (wire mode). The broker's memory is laid out
// once at startup for rings, tables and shard arenas (initial = maximum, never grown), and an
// assignment's size is only known per rebalance (10,000 partitions × 1,000 members needs ~0.3 MB,
// a million partitions ~30 MB). So each kernel owns a private memory, sized on demand: when a call
// needs more, a bigger one replaces it and the module is instantiated again (~50 µs, rare). The
// module imports a *shared* memory (asconfig.json builds one module for every kernel), so the
// private memory is a shared one too, just never handed to another thread.
//
// Per call: the inputs are copied into [moduleStaticBytes, …) one after the other, the kernel
// writes the owner array there, and it is copied out. The wrapper checks every input in TS before
// calling in, so the kernel never sees an index outside its arrays.

import { assert } from '../core/assert.js';
import type { AssignmentKernel, StickyDifferentInput, SubscriberLists } from '../core/assignors/assignment_kernel.js';
import { compileKernels, instantiateKernels, type KernelExports } from './loader.js';
import { createSharedMemory, moduleStaticBytes, sharedMemoryBytesMax, wasmPageBytes } from './shared_memory.js';

/** The assignment exports of the kernels module (wasm/assembly/assign.ts). */
interface AssignExports {
  stickyEqual(previousOwner: number, partitionCount: number, memberCount: number, eligible: number, eligibleCount: number, owner: number, scratch: number): number;
  stickyDifferent(
    previousOwner: number,
    partitionCount: number,
    memberCount: number,
    topicCount: number,
    topicBase: number,
    subscriberStart: number,
    subscribers: number,
    topicsByChoice: number,
    owner: number,
    count: number,
  ): number;
  rangeOwners(topicCount: number, topicBase: number, subscriberStart: number, subscribers: number, owner: number): number;
  roundRobinOwners(partitionCount: number, memberCount: number, topicOf: number, subscribed: number, wordsPerMember: number, owner: number): number;
}

const assignExportNames: readonly (keyof AssignExports)[] = ['stickyEqual', 'stickyDifferent', 'rangeOwners', 'roundRobinOwners'];

/** The smallest private memory: 1 MiB holds 10,000 partitions × 1,000 members several times over. */
const memoryBytesMin = 16 * wasmPageBytes;

export interface WasmAssignmentKernelOptions {
  /** A compiled kernels module; compiled from wasm/build when absent. */
  module?: WebAssembly.Module;
  /** Use kernels.debug.wasm (AssemblyScript asserts on), as the property tests do. */
  debug?: boolean;
}

/** Places arrays one after another above the static reserve; every pointer is 4-aligned. */
class CallLayout {
  next = moduleStaticBytes;
  place(int32s: number): number {
    assert(Number.isSafeInteger(int32s) && int32s >= 0, `bad array length ${int32s}`);
    const ptr = this.next;
    this.next += int32s * 4;
    return ptr;
  }
}

function checkIndexes(name: string, values: Int32Array, min: number, limit: number): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value < min || value >= limit) throw new RangeError(`assignment kernel: ${name}[${i}] = ${value} is outside [${min}, ${limit})`);
  }
}

function checkAscending(name: string, values: Int32Array, strictly: boolean): void {
  for (let i = 1; i < values.length; i++) {
    if (values[i] < values[i - 1] || (strictly && values[i] === values[i - 1])) {
      throw new RangeError(`assignment kernel: ${name} is not ascending at ${i}`);
    }
  }
}

function checkLists(topicCount: number, memberCount: number, lists: SubscriberLists): void {
  const { subscriberStart, subscribers } = lists;
  if (subscriberStart.length !== topicCount + 1) throw new RangeError(`assignment kernel: subscriberStart has ${subscriberStart.length} entries for ${topicCount} topics`);
  if (subscriberStart[0] !== 0 || subscriberStart[topicCount] !== subscribers.length) {
    throw new RangeError('assignment kernel: subscriberStart does not span subscribers');
  }
  checkAscending('subscriberStart', subscriberStart, false);
  checkIndexes('subscribers', subscribers, 0, memberCount);
  for (let t = 0; t < topicCount; t++) {
    if (subscriberStart[t + 1] === subscriberStart[t]) throw new RangeError(`assignment kernel: topic ${t} has no subscriber`);
    checkAscending(`subscribers of topic ${t}`, subscribers.subarray(subscriberStart[t], subscriberStart[t + 1]), true);
  }
}

function checkTopicBase(topicBase: Int32Array): void {
  if (topicBase.length < 1 || topicBase[0] !== 0) throw new RangeError('assignment kernel: topicBase must start at 0');
  checkAscending('topicBase', topicBase, false);
}

/** A WASM AssignmentKernel on a private memory; not for sharing between threads. */
export function createWasmAssignmentKernel(options: WasmAssignmentKernelOptions = {}): AssignmentKernel {
  const module = options.module ?? compileKernels({ debug: options.debug === true });
  const exported = new Set(WebAssembly.Module.exports(module).map((descriptor) => descriptor.name));
  for (const name of assignExportNames) {
    if (!exported.has(name)) throw new Error(`wasm/assignment_kernel: the kernels module does not export ${name}; rebuild it (npm run build:wasm)`);
  }
  let memory: WebAssembly.Memory | null = null;
  let exports: (KernelExports & AssignExports) | null = null;

  /** The instance, on a memory of at least `bytes`; replaces a smaller memory. */
  function instanceFor(bytes: number): { exports: KernelExports & AssignExports; view: Int32Array } {
    if (memory === null || memory.buffer.byteLength < bytes) {
      if (bytes > sharedMemoryBytesMax) throw new RangeError(`assignment kernel: ${bytes} bytes exceed the ${sharedMemoryBytesMax}-byte maximum`);
      let size = memoryBytesMin;
      while (size < bytes) size *= 2;
      memory = createSharedMemory(Math.min(size, sharedMemoryBytesMax));
      exports = instantiateKernels(module, memory) as KernelExports & AssignExports;
    }
    return { exports: exports as KernelExports & AssignExports, view: new Int32Array(memory.buffer) };
  }

  function put(view: Int32Array, ptr: number, values: Int32Array): void {
    view.set(values, ptr >>> 2);
  }

  function owners(view: Int32Array, ptr: number, count: number): Int32Array {
    return view.slice(ptr >>> 2, (ptr >>> 2) + count);
  }

  return {
    name: options.debug === true ? 'wasm-debug' : 'wasm',

    stickyEqual(previousOwner, memberCount, eligible) {
      const partitionCount = previousOwner.length;
      checkIndexes('previousOwner', previousOwner, -1, memberCount);
      checkIndexes('eligible', eligible, 0, memberCount);
      checkAscending('eligible', eligible, true);
      const layout = new CallLayout();
      const previousPtr = layout.place(partitionCount);
      const eligiblePtr = layout.place(eligible.length);
      const ownerPtr = layout.place(partitionCount);
      const scratchPtr = layout.place(3 * memberCount + partitionCount + eligible.length);
      const { exports: kernel, view } = instanceFor(layout.next);
      put(view, previousPtr, previousOwner);
      put(view, eligiblePtr, eligible);
      kernel.stickyEqual(previousPtr, partitionCount, memberCount, eligiblePtr, eligible.length, ownerPtr, scratchPtr);
      return owners(view, ownerPtr, partitionCount);
    },

    stickyDifferent(input: StickyDifferentInput) {
      const { previousOwner, memberCount, topicBase, topicsByChoice } = input;
      const partitionCount = previousOwner.length;
      const topicCount = topicBase.length - 1;
      checkTopicBase(topicBase);
      assert(topicBase[topicCount] === partitionCount, `topicBase ends at ${topicBase[topicCount]}, not ${partitionCount}`);
      checkIndexes('previousOwner', previousOwner, -1, memberCount);
      checkLists(topicCount, memberCount, input);
      checkIndexes('topicsByChoice', topicsByChoice, 0, topicCount);
      if (topicsByChoice.length !== topicCount) throw new RangeError(`assignment kernel: topicsByChoice has ${topicsByChoice.length} of ${topicCount} topics`);
      const layout = new CallLayout();
      const previousPtr = layout.place(partitionCount);
      const basePtr = layout.place(topicBase.length);
      const startPtr = layout.place(input.subscriberStart.length);
      const subscribersPtr = layout.place(input.subscribers.length);
      const choicePtr = layout.place(topicCount);
      const ownerPtr = layout.place(partitionCount);
      const countPtr = layout.place(memberCount);
      const { exports: kernel, view } = instanceFor(layout.next);
      put(view, previousPtr, previousOwner);
      put(view, basePtr, topicBase);
      put(view, startPtr, input.subscriberStart);
      put(view, subscribersPtr, input.subscribers);
      put(view, choicePtr, topicsByChoice);
      kernel.stickyDifferent(previousPtr, partitionCount, memberCount, topicCount, basePtr, startPtr, subscribersPtr, choicePtr, ownerPtr, countPtr);
      return owners(view, ownerPtr, partitionCount);
    },

    rangeOwners(topicBase, lists) {
      checkTopicBase(topicBase);
      const topicCount = topicBase.length - 1;
      const partitionCount = topicBase[topicCount];
      const memberCount = lists.subscribers.reduce((max, m) => Math.max(max, m + 1), 0);
      checkLists(topicCount, memberCount, lists);
      const layout = new CallLayout();
      const basePtr = layout.place(topicBase.length);
      const startPtr = layout.place(lists.subscriberStart.length);
      const subscribersPtr = layout.place(lists.subscribers.length);
      const ownerPtr = layout.place(partitionCount);
      const { exports: kernel, view } = instanceFor(layout.next);
      put(view, basePtr, topicBase);
      put(view, startPtr, lists.subscriberStart);
      put(view, subscribersPtr, lists.subscribers);
      kernel.rangeOwners(topicCount, basePtr, startPtr, subscribersPtr, ownerPtr);
      return owners(view, ownerPtr, partitionCount);
    },

    roundRobinOwners(topicOf, memberCount, subscribed, wordsPerMember) {
      const partitionCount = topicOf.length;
      if (!Number.isInteger(wordsPerMember) || wordsPerMember < 1) throw new RangeError(`assignment kernel: wordsPerMember ${wordsPerMember}`);
      if (subscribed.length !== memberCount * wordsPerMember) throw new RangeError('assignment kernel: subscribed has the wrong length');
      checkIndexes('topicOf', topicOf, 0, wordsPerMember * 32);
      // Every partition's topic needs a subscriber, or the deal would never find a taker.
      const anySubscriber = new Int32Array(wordsPerMember);
      for (let m = 0; m < memberCount; m++) for (let w = 0; w < wordsPerMember; w++) anySubscriber[w] |= subscribed[m * wordsPerMember + w];
      for (let index = 0; index < partitionCount; index++) {
        const t = topicOf[index];
        if (((anySubscriber[t >>> 5] >>> (t & 31)) & 1) === 0) throw new RangeError(`assignment kernel: partition ${index}'s topic has no subscriber`);
      }
      const layout = new CallLayout();
      const topicOfPtr = layout.place(partitionCount);
      const subscribedPtr = layout.place(subscribed.length);
      const ownerPtr = layout.place(partitionCount);
      const { exports: kernel, view } = instanceFor(layout.next);
      put(view, topicOfPtr, topicOf);
      put(view, subscribedPtr, subscribed);
      kernel.roundRobinOwners(partitionCount, memberCount, topicOfPtr, subscribedPtr, wordsPerMember, ownerPtr);
      return owners(view, ownerPtr, partitionCount);
    },
  };
}
