// Boot file for worker threads whose entry is TypeScript (tests and `tsx` runs only).
// Node 20 does not apply --import hooks inside workers, so the worker registers tsx itself and
// then imports the real entry. Compiled runs (dist/) never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const mod = await import(workerData.__tsEntry);
export default mod.default;
