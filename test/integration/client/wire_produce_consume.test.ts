// The produce consume suite over the Kafka protocol: new Kafka({ brokers }) against an in-process `lanes start`.
import { produceConsumeSuite } from './suites/produce_consume.js';

produceConsumeSuite('wire');
