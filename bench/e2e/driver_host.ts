// The child side of an isolated system driver (isolated_driver.ts): serves one driver over the
// IPC channel its parent forked it with. The parent asks it to start a session, run workloads
// one at a time and stop; the child answers with the session's results and, during a run, the
// live counters every 100 ms. Whatever the driver's client library does wrong (a stack overflow
// in its socket handler, a native abort) ends this process, never the benchmark.
//
// Thread: the child process's event loop.
import type { Measurement, SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

/** Parent → child. */
export type DriverRequest =
  | { kind: 'start'; context: SessionContext }
  | { kind: 'run'; workload: Workload }
  | { kind: 'stop' };

/** Child → parent. */
export type DriverReply =
  | { kind: 'started' }
  | { kind: 'counters'; produced: number; consumed: number }
  | { kind: 'measured'; measurement: Measurement }
  | { kind: 'failed'; message: string }
  | { kind: 'stopped' };

const countersEveryMs = 100;

export function serveDriver(driver: SystemDriver): void {
  const send = (reply: DriverReply) => process.send?.(reply);
  let session: SystemSession | null = null;
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= session?.stop() ?? Promise.resolve());
  const handle = async (request: DriverRequest): Promise<void> => {
    switch (request.kind) {
      case 'start':
        session = await driver.start(request.context);
        send({ kind: 'started' });
        return;
      case 'run': {
        if (session === null) throw new Error('run before start');
        const counters = { produced: 0, consumed: 0 };
        const timer = setInterval(() => send({ kind: 'counters', ...counters }), countersEveryMs);
        try {
          const measurement = await session.run(request.workload, counters);
          send({ kind: 'counters', ...counters });
          send({ kind: 'measured', measurement });
        } finally {
          clearInterval(timer);
        }
        return;
      }
      case 'stop':
        await stop();
        send({ kind: 'stopped' });
        process.disconnect?.();
        return;
    }
  };
  process.on('message', (request: DriverRequest) => {
    handle(request).catch((error: unknown) => send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }));
  });
  // The channel closed: after 'stop', or because the parent is gone (it crashed or was killed).
  // Either way the session's servers are stopped and this process ends.
  process.once('disconnect', () => {
    setTimeout(() => process.exit(0), 15_000).unref();
    stop().finally(() => process.exit(0));
  });
}
