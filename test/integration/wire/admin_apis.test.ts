// DeleteRecords, OffsetForLeaderEpoch, DescribeLogDirs, DescribeCluster and DescribeProducers
// over TCP at every version Lanes serves (Kafka 4.0's ranges), against a broker with a listener:
// ApiVersions advertises them, each version's frames (flexible or not) are understood, and the
// answers carry what the log holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { KafkaConnection } from '../../../actors/net/kafka_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

let server: TestServer;
let connection: KafkaConnection;

beforeAll(async () => {
  server = await startTestServer();
  connection = await KafkaConnection.connect({ host: server.host, port: server.port, clientId: 'admin-apis' });
  await server.broker.createTopic('logs', { partitions: 2 });
  for (let sequence = 0; sequence < 6; sequence++) {
    const records = Array.from({ length: 5 }, () => ({ key: null, value: new Uint8Array(20) }));
    await server.broker.produce('logs', 0, encodeRecordBatch(records, { producerId: 42, producerEpoch: 1, baseSequence: sequence * 5, baseTimestamp: 5000 + sequence }), { acks: -1 });
  }
});

afterAll(async () => {
  connection?.close();
  await server?.stop();
});

const versions = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('served versions', () => {
  it('ApiVersions advertises Kafka 4.0\'s ranges', () => {
    expect([ApiKey.DeleteRecords, ApiKey.OffsetForLeaderEpoch, ApiKey.DescribeLogDirs, ApiKey.DescribeCluster, ApiKey.DescribeProducers].map((key) => connection.brokerVersions(key))).toEqual([
      { min: 0, max: 2 },
      { min: 2, max: 4 },
      { min: 1, max: 4 },
      { min: 0, max: 2 },
      { min: 0, max: 0 },
    ]);
  });
});

describe('over the wire', () => {
  it.each(versions(2, 4))('OffsetForLeaderEpoch v%i: epoch 0 ends at the log end offset', async (version) => {
    const response = await connection.send(
      ApiKey.OffsetForLeaderEpoch,
      { replicaId: -1, topics: [{ topicName: 'logs', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }, { partitionIndex: 5, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] },
      { version },
    );
    expect(response.topics[0].partitions).toEqual([
      { errorCode: ErrorCode.NONE, partitionIndex: 0, leaderEpoch: 0, endOffset: 30 },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitionIndex: 5, leaderEpoch: -1, endOffset: -1 },
    ]);
  });

  it.each(versions(1, 4))('DescribeLogDirs v%i: the memory log directory, each partition\'s bytes', async (version) => {
    const response = await connection.send(ApiKey.DescribeLogDirs, { topics: [{ topicName: 'logs', partitions: [0, 1] }] }, { version });
    const [result] = response.results;
    expect(result.logDir).toBe('memory');
    expect(result.topics[0].partitions.map((p) => [p.partitionIndex, p.partitionSize > 6 * 5 * 20, p.offsetLag])).toEqual([[0, true, 0], [1, false, 0]]);
    if (version >= 4) expect(result.totalBytes).toBeGreaterThan(result.usableBytes);
    else expect(result.totalBytes).toBe(-1);
  });

  it.each(versions(0, 2))('DescribeCluster v%i: this broker at the connected address, the controller', async (version) => {
    const response = await connection.send(ApiKey.DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false }, { version });
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, clusterId: 'lanes', controllerId: 0, brokers: [{ brokerId: 0, host: server.host, port: server.port, rack: null, isFenced: false }] });
  });

  it('DescribeProducers v0: the idempotent producer and its last sequence', async () => {
    const response = await connection.send(ApiKey.DescribeProducers, { topics: [{ topicName: 'logs', partitionIndexes: [0, 1] }] }, { version: 0 });
    expect(response.topics[0].partitions).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: [{ producerId: 42, producerEpoch: 1, lastSequence: 29, lastTimestamp: 5005, coordinatorEpoch: -1, currentTxnStartOffset: -1 }] },
      { partitionIndex: 1, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: [] },
    ]);
  });

  it.each(versions(0, 2))('DeleteRecords v%i: the log start moves forward; ListOffsets earliest follows', async (version) => {
    const offset = 3 + version * 7;
    const response = await connection.send(ApiKey.DeleteRecords, { topics: [{ topicName: 'logs', partitions: [{ partitionIndex: 0, offset }, { partitionIndex: 0 + 1, offset: 1 }] }], timeoutMs: 1000 }, { version });
    expect(response.topics[0].partitions).toEqual([
      { partitionIndex: 0, lowWatermark: offset, errorCode: ErrorCode.NONE },
      { partitionIndex: 1, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
    ]);
    const earliest = await connection.send(ApiKey.ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ topicName: 'logs', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }], timeoutMs: 0 });
    expect(earliest.topics[0].partitions[0].offset).toBe(offset);
  });
});
