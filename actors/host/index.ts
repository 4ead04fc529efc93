// The package's public entry: the embedded broker with its KafkaJS-shaped client, the Broker
// itself for callers who want its lower-level calls, the client's types, and the error classes.
//
//   import { Kafka, Lanes } from 'lanes';
//   const lanes = await Lanes.start();
//   const kafka = lanes.kafka({ clientId: 'app' });
//   // or the same client over the Kafka protocol, to `lanes start` or a Kafka cluster:
//   const remote = new Kafka({ clientId: 'app', brokers: ['127.0.0.1:9092'] });

export { Lanes, Kafka, type KafkaConfig, type KafkaLogOptions, type LanesOptions } from '../client/lanes.js';
/** KafkaJS's `logLevel` numbers, for the `logLevel` options of Lanes.start and new Kafka. */
export { kafkaLogLevel as logLevel, type LogCreator, type LogEntry } from '../log_lines.js';
export { Producer } from '../client/producer.js';
export { Consumer, consumerEvents, deadLetterHeaders, type ConsumerEventName } from '../client/consumer.js';
export { Admin } from '../client/admin.js';
export * from '../client/types.js';
export { Broker, type BrokerOptions, type FetchResult, type ProduceResult, type TopicDescription } from './broker.js';
export { ErrorCode, LanesError, errorCodeName, isLanesError } from '../../core/errors.js';
export { partitionForKey, murmur2 } from '../../core/client/partitioner.js';
export { Partitioners, type ICustomPartitioner, type PartitionerArgs } from '../client/partitioners.js';
export { assignorNames } from '../../core/assignors/registry.js';
export type { PartitionAssignor, RebalanceProtocol } from '../../core/assignors/assignor.js';
