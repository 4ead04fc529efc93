// Worker-thread entry of a shard: starts the shard (shard_instance.ts) with its control plane on
// the parent port, blocking waits allowed (a full reply ring parks this thread, not the host's).
import { parentPort, workerData } from 'node:worker_threads';
import { assert } from '../../core/assert.js';
import { captureLanesErrorStacks } from '../../core/errors.js';
import { startShardInstance, type ShardWorkerData } from './shard_instance.js';

export type { ShardWorkerData } from './shard_instance.js';

assert(parentPort !== null, 'shard_main runs in a worker thread');
// A shard's LanesErrors reach the host as codes and messages: their stacks would be captured for
// nobody (core/errors.ts).
captureLanesErrorStacks(false);
const port = parentPort;

await startShardInstance(workerData as ShardWorkerData, {
  endpoint: port,
  onLoopFailed(error) {
    // Die loudly: the worker's 'error' event makes the host fail the broker.
    setImmediate(() => {
      throw error;
    });
  },
  onStopped() {
    // Let the thread end once comlink has answered: nothing else keeps its event loop alive.
    setImmediate(() => port.close());
  },
});
