// The admin suite over the Kafka protocol: new Kafka({ brokers }) against an in-process `lanes start`.
import { adminSuite } from './suites/admin.js';

adminSuite('wire');
