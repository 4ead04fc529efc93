// Every system `lanes bench` knows, in the order of its tables and chart colours. The benchmark
// runs each in a child process (isolated_driver.ts); that child builds its driver from here by id
// (bench_driver.ts).
import { kafkaClientDriver } from './kafka_clients.js';
import { confluentLibrary, kafkajsLibrary } from './kafkajs_client.js';
import { lanesEmbeddedDriver } from './lanes_embedded.js';
import { lanesWireDriver } from './lanes_wire.js';
import { jetStreamDriver } from './nats_jetstream.js';
import { platformaticLibrary } from './platformatic_client.js';
import { redisDriver } from './redis_streams.js';
import type { SystemDriver } from './workloads.js';

export function systemDrivers(): SystemDriver[] {
  return [
    lanesWireDriver('memory'),
    lanesWireDriver('disk'),
    lanesEmbeddedDriver(),
    redisDriver(false),
    redisDriver(true),
    jetStreamDriver('memory'),
    jetStreamDriver('file'),
    // Last, so the chart's colours of the systems above stay what they were.
    kafkaClientDriver(kafkajsLibrary),
    kafkaClientDriver(platformaticLibrary),
    kafkaClientDriver(confluentLibrary),
  ];
}
