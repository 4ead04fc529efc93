// The group suite over the Kafka protocol: new Kafka({ brokers }) against an in-process `lanes start`.
import { groupSuite } from './suites/group.js';

groupSuite('wire');
