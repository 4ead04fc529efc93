// The consumer control suite over the Kafka protocol: new Kafka({ brokers }) against an in-process `lanes start`.
import { consumerControlSuite } from './suites/consumer_control.js';

consumerControlSuite('wire');
