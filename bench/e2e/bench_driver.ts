// A child process of `lanes bench` running one system's driver (its client library, and for Lanes
// embedded the broker itself): `node bench_driver.js <driver id>`, forked by isolated_driver.ts
// with an IPC channel. Bundled on its own as dist/bundle/bench_driver.js (bin/bundle.js).
import { systemDrivers } from './drivers.js';
import { serveDriver } from './driver_host.js';

const id = process.argv[2];
const driver = systemDrivers().find((candidate) => candidate.id === id);
if (driver === undefined) {
  process.stderr.write(`bench_driver: unknown system ${JSON.stringify(id)}\n`);
  process.exit(2);
}
// The table goes to the parent's stdout: the broker and its threads log warnings only.
process.env.LANES_LOG_LEVEL ??= 'warn';
serveDriver(driver);
