// The metadata suite over the Kafka protocol: new Kafka({ brokers }) against an in-process `lanes start`.
import { metadataSuite } from './suites/metadata.js';

metadataSuite('wire');
