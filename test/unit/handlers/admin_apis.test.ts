// DeleteRecords, OffsetForLeaderEpoch, DescribeLogDirs, DescribeCluster and DescribeProducers
// against a fake broker: what each answers per version and per error, as a Kafka broker answers.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { deleteRecords } from '../../../core/handlers/delete_records.js';
import { describeCluster } from '../../../core/handlers/describe_cluster.js';
import { describeLogDirs } from '../../../core/handlers/describe_log_dirs.js';
import { describeProducers } from '../../../core/handlers/describe_producers.js';
import { offsetForLeaderEpoch } from '../../../core/handlers/offset_for_leader_epoch.js';
import { authorizedOperationsOmitted } from '../../../core/protocol/messages/metadata.js';
import { context, FakeBroker } from './fakes.js';

function answered<T>(response: T): Exclude<T, symbol> {
  if (typeof response === 'symbol') throw new Error('expected a response');
  return response as Exclude<T, symbol>;
}

async function brokerWith(topic: string, batchesPerPartition: number[]): Promise<FakeBroker> {
  const broker = new FakeBroker();
  await broker.createTopic(topic, { partitions: batchesPerPartition.length });
  for (const [partition, count] of batchesPerPartition.entries()) {
    for (let i = 0; i < count; i++) await broker.produce(topic, partition, new Uint8Array(10), { acks: -1 });
  }
  return broker;
}

describe('DeleteRecords', () => {
  it('answers the new low watermark per partition; −1 deletes up to the high watermark', async () => {
    const broker = await brokerWith('t', [5, 3]);
    const response = answered(
      await deleteRecords.handle(context({ broker, apiVersion: 2 }), {
        topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, offset: 2 }, { partitionIndex: 1, offset: -1 }] }],
        timeoutMs: 1000,
      }),
    );
    expect(response.topics).toEqual([
      { topicName: 't', partitions: [{ partitionIndex: 0, lowWatermark: 2, errorCode: ErrorCode.NONE }, { partitionIndex: 1, lowWatermark: 3, errorCode: ErrorCode.NONE }] },
    ]);
    expect(broker.describeTopic('t')!.partitions.map((p) => p.logStartOffset)).toEqual([2, 3]);
  });

  it('refuses unknown partitions and offsets past the high watermark per partition, serving the rest', async () => {
    const broker = await brokerWith('t', [5, 5]);
    const response = answered(
      await deleteRecords.handle(context({ broker, apiVersion: 0 }), {
        topics: [
          { topicName: 't', partitions: [{ partitionIndex: 0, offset: 6 }, { partitionIndex: 2, offset: 0 }, { partitionIndex: -1, offset: 0 }] },
          { topicName: 'nope', partitions: [{ partitionIndex: 0, offset: 1 }] },
        ],
        timeoutMs: 0,
      }),
    );
    expect(response.topics.map((t) => [t.topicName, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark])])).toEqual([
      ['t', [[0, ErrorCode.OFFSET_OUT_OF_RANGE, -1], [2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1], [-1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
    ]);
  });

  it('reads the request as Kafka does, as a map: a partition named again is deleted once, at the last offset given', async () => {
    const broker = await brokerWith('t', [5, 5]);
    const many = Array.from({ length: 10_000 }, (_, i) => ({ partitionIndex: i % 2, offset: i % 5 }));
    const response = answered(
      await deleteRecords.handle(context({ broker, apiVersion: 2 }), {
        topics: [{ topicName: 't', partitions: many }, { topicName: 'nope', partitions: [{ partitionIndex: 0, offset: 1 }] }, { topicName: 't', partitions: [{ partitionIndex: 0, offset: 3 }] }],
        timeoutMs: 0,
      }),
    );
    expect(response.topics).toEqual([
      { topicName: 't', partitions: [{ partitionIndex: 0, lowWatermark: 3, errorCode: ErrorCode.NONE }, { partitionIndex: 1, lowWatermark: 4, errorCode: ErrorCode.NONE }] },
      { topicName: 'nope', partitions: [{ partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    expect(broker.logCalls).toEqual(['deleteRecords t-0 3', 'deleteRecords t-1 4']);
  });
});

describe('OffsetForLeaderEpoch', () => {
  const ask = async (broker: FakeBroker, partitions: { partitionIndex: number; currentLeaderEpoch: number; leaderEpoch: number }[], topicName = 't') =>
    answered(await offsetForLeaderEpoch.handle(context({ broker, apiVersion: 4 }), { replicaId: -1, topics: [{ topicName, partitions }] })).topics[0].partitions;

  it('epoch 0, the only one, ends at the log end offset; later epochs are unknown', async () => {
    const broker = await brokerWith('t', [7, 0]);
    expect(await ask(broker, [
      { partitionIndex: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
      { partitionIndex: 1, currentLeaderEpoch: -1, leaderEpoch: 0 },
      { partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: 3 },
      { partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: -1 },
    ])).toEqual([
      { errorCode: ErrorCode.NONE, partitionIndex: 0, leaderEpoch: 0, endOffset: 7 },
      { errorCode: ErrorCode.NONE, partitionIndex: 1, leaderEpoch: 0, endOffset: 0 },
      { errorCode: ErrorCode.NONE, partitionIndex: 0, leaderEpoch: -1, endOffset: -1 },
      { errorCode: ErrorCode.NONE, partitionIndex: 0, leaderEpoch: -1, endOffset: -1 },
    ]);
  });

  it('an epoch older than any kept answers the log start offset', async () => {
    const broker = await brokerWith('t', [7]);
    await broker.deleteRecords('t', 0, 4);
    expect(await ask(broker, [{ partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: -5 }])).toEqual([{ errorCode: ErrorCode.NONE, partitionIndex: 0, leaderEpoch: -5, endOffset: 4 }]);
  });

  it('fences a current leader epoch other than 0, and refuses unknown partitions', async () => {
    const broker = await brokerWith('t', [7]);
    expect((await ask(broker, [
      { partitionIndex: 0, currentLeaderEpoch: 1, leaderEpoch: 0 },
      { partitionIndex: 0, currentLeaderEpoch: -3, leaderEpoch: 0 },
      { partitionIndex: 9, currentLeaderEpoch: -1, leaderEpoch: 0 },
    ])).map((p) => [p.errorCode, p.endOffset])).toEqual([
      [ErrorCode.UNKNOWN_LEADER_EPOCH, -1],
      [ErrorCode.FENCED_LEADER_EPOCH, -1],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ]);
    expect((await ask(broker, [{ partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }], 'nope'))[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('DescribeLogDirs', () => {
  it('null asks for every partition: sizes per partition, topics sorted, the volume room in v4', async () => {
    const broker = await brokerWith('b', [2, 1]);
    await broker.createTopic('a');
    const response = answered(await describeLogDirs.handle(context({ broker, apiVersion: 4 }), { topics: null }));
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.results).toEqual([
      {
        errorCode: ErrorCode.NONE,
        logDir: '/data',
        totalBytes: 1000,
        usableBytes: 400,
        topics: [
          { topicName: 'a', partitions: [{ partitionIndex: 0, partitionSize: 0, offsetLag: 0, isFutureKey: false }] },
          { topicName: 'b', partitions: [{ partitionIndex: 0, partitionSize: 20, offsetLag: 0, isFutureKey: false }, { partitionIndex: 1, partitionSize: 10, offsetLag: 0, isFutureKey: false }] },
        ],
      },
    ]);
  });

  it('only the asked partitions that exist; a topic with none is left out', async () => {
    const broker = await brokerWith('b', [2, 1]);
    const response = answered(await describeLogDirs.handle(context({ broker, apiVersion: 1 }), { topics: [{ topicName: 'b', partitions: [1, 7] }, { topicName: 'nope', partitions: [0] }] }));
    expect(response.results[0].topics).toEqual([{ topicName: 'b', partitions: [{ partitionIndex: 1, partitionSize: 10, offsetLag: 0, isFutureKey: false }] }]);
  });
});

describe('DescribeCluster', () => {
  it('this node is the only broker and the controller, at the address the client connected to', async () => {
    const response = answered(await describeCluster.handle(context({ apiVersion: 2 }), { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: true }));
    expect(response).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: 1,
      clusterId: 'test',
      controllerId: 0,
      brokers: [{ brokerId: 0, host: '10.0.0.2', port: 9092, rack: null, isFenced: false }],
      clusterAuthorizedOperations: authorizedOperationsOmitted,
    });
  });

  it('asking for controllers answers MISMATCHED_ENDPOINT_TYPE, an unknown type UNSUPPORTED_ENDPOINT_TYPE', async () => {
    const controllers = answered(await describeCluster.handle(context({ apiVersion: 1 }), { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false }));
    const unknown = answered(await describeCluster.handle(context({ apiVersion: 1 }), { includeClusterAuthorizedOperations: false, endpointType: 7, includeFencedBrokers: false }));
    expect([controllers.errorCode, controllers.brokers]).toEqual([ErrorCode.MISMATCHED_ENDPOINT_TYPE, []]);
    expect([unknown.errorCode, unknown.errorMessage]).toEqual([ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, 'Unsupported endpoint type 7']);
  });
});

describe('DescribeProducers', () => {
  it('lists each partition\'s producers, not transactional; unknown partitions answer UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const broker = await brokerWith('t', [1, 1]);
    broker.producers.set('t-1', [{ producerId: 7, producerEpoch: 2, lastSequence: 41, lastTimestamp: 1234 }]);
    const response = answered(await describeProducers.handle(context({ broker, apiVersion: 0 }), { topics: [{ topicName: 't', partitionIndexes: [0, 1, 5] }, { topicName: 'nope', partitionIndexes: [0] }] }));
    expect(response.topics).toEqual([
      {
        topicName: 't',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: [] },
          {
            partitionIndex: 1,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: [{ producerId: 7, producerEpoch: 2, lastSequence: 41, lastTimestamp: 1234, coordinatorEpoch: -1, currentTxnStartOffset: -1 }],
          },
          { partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] },
        ],
      },
      { topicName: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] }] },
    ]);
  });

  it('asks a partition named many times once, answering every mention', async () => {
    const broker = await brokerWith('t', [1]);
    broker.producers.set('t-0', [{ producerId: 7, producerEpoch: 2, lastSequence: 41, lastTimestamp: 1234 }]);
    const response = answered(await describeProducers.handle(context({ broker, apiVersion: 0 }), { topics: [{ topicName: 't', partitionIndexes: Array.from({ length: 10_000 }, () => 0) }, { topicName: 't', partitionIndexes: [0] }] }));
    expect(response.topics.flatMap((t) => t.partitions).length).toBe(10_001);
    expect(response.topics[1].partitions[0].activeProducers.map((p) => p.producerId)).toEqual([7]);
    expect(broker.logCalls).toEqual(['activeProducers t-0']);
  });
});
