// Lanes over the Kafka wire protocol: a broker in a child process (bench/load/broker_process.ts,
// the `lanes start` composition) driven by bench/load's generator, which sends PRE-ENCODED
// Produce requests (the batch and frame built once) and reads with K group members over Fetch.
//
// Variants: memory storage (acks=-1 answered once the batch is in the shared-memory log) and
// disk storage with flush 'always' (answered after the segment write is fsynced).
import { startBrokerProcess } from '../load/broker_process.js';
import { runWorkload, type WorkloadResult } from '../load/workload.js';
import { withBrokerService } from './broker_service.js';
import type { Measurement, SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

const MiB = 1024 * 1024;

function measurement(workload: Workload, result: WorkloadResult): Measurement {
  const figures = workload.kind === 'produce' ? result.produced : workload.kind === 'consume' ? result.consumed! : result;
  return {
    records: figures.records,
    seconds: figures.seconds,
    recordsPerSecond: figures.recordsPerSecond,
    mbPerSecond: figures.mbPerSecond,
    ackLatencyMs: result.latencyMs,
    endToEndLatencyMs: result.endToEndLatencyMs,
    sendLagMs: result.sendLagMs,
  };
}

export function lanesWireDriver(storage: 'memory' | 'disk'): SystemDriver {
  return {
    id: storage === 'memory' ? 'lanes-wire' : 'lanes-wire-fsync',
    label: storage === 'memory' ? 'Lanes (wire, memory)' : 'Lanes (wire, disk+fsync)',
    durability:
      storage === 'memory'
        ? 'acks=-1 answered once the batch is in the shared-memory log'
        : 'acks=-1 answered after the segment write is fsynced (disk storage, flush always)',
    durable: storage === 'disk',
    missing: () => null,
    async start(context: SessionContext): Promise<SystemSession> {
      // Memory storage keeps every record of the session; leave room for the rings and slack.
      const memoryMiB = Math.max(1024, Math.ceil((context.expectedBytes * 1.5) / MiB) + 512);
      const start = () => startBrokerProcess({ storage, dataDir: storage === 'disk' ? context.dataDir : undefined, memoryMiB, admin: true });
      let broker = await start();
      let runs = 0;
      return {
        async run(workload, counters) {
          runs++;
          const latency = workload.kind === 'latency';
          // runWorkload has no drain limit of its own: a run that outlives this allowance is
          // abandoned with its broker, and the next workload gets a fresh one.
          const allowanceMs = 30_000 + workload.drainTimeoutMs + (latency ? workload.durationMs : (workload.records / 10_000) * 2000);
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no result within ${Math.round(allowanceMs / 1000)} s; the broker was restarted`)), allowanceMs);
          });
          // The broker's histograms are scraped before the generator starts and after it ends.
          const adminUrl = broker.adminUrl;
          const run = () => runWorkload({
            brokers: [broker.address],
            mode: workload.kind,
            records: workload.records,
            recordBytes: workload.recordBytes,
            recordsPerBatch: latency ? workload.recordsPerTick : undefined,
            partitions: 8,
            producers: workload.producers,
            consumers: workload.consumers,
            acks: -1,
            groupId: `bench-${runs}`,
            ratePerSecond: workload.ratePerSecond ?? undefined,
            durationMs: latency ? workload.durationMs : undefined,
            warmupMs: latency ? workload.warmupMs : undefined,
            inFlightPerProducer: workload.inFlightPerProducer,
            topic: `bench-${runs}`,
            onProgress: (progress) => {
              counters.produced = progress.producedRecords;
              counters.consumed = progress.consumedRecords;
            },
          });
          try {
            const measured = withBrokerService(adminUrl, async () => measurement(workload, await run()));
            measured.catch(() => undefined);
            return await Promise.race([measured, timedOut]);
          } catch (error) {
            if (error instanceof Error && error.message.startsWith('no result within')) {
              await broker.stop();
              broker = await start();
            }
            throw error;
          } finally {
            clearTimeout(timer);
          }
        },
        stop: () => broker.stop(),
      };
    },
  };
}
