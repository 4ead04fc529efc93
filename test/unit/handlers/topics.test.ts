// Metadata, CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs and ListOffsets against
// a fake broker: what each answers per version and per error.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { createPartitions } from '../../../core/handlers/create_partitions.js';
import { createTopics } from '../../../core/handlers/create_topics.js';
import { deleteTopics } from '../../../core/handlers/delete_topics.js';
import { describeConfigs } from '../../../core/handlers/describe_configs.js';
import { topicConfigDefs } from '../../../core/handlers/topic_config.js';
import { listOffsets } from '../../../core/handlers/list_offsets.js';
import { metadata } from '../../../core/handlers/metadata.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { encodeResponseFrame } from '../../../core/protocol/codec.js';
import { context, FakeBroker } from './fakes.js';

const metadataRequest = (topics: string[] | null, allowAutoTopicCreation = true) => ({
  topics: topics === null ? null : topics.map((topicName) => ({ topicId: new Uint8Array(16), topicName })),
  allowAutoTopicCreation,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
});

describe('Metadata', () => {
  it('v0: an empty list means every topic; v1: empty means none and null means every topic', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('a');
    await broker.createTopic('b', { partitions: 3 });
    const v0 = await metadata.handle(context({ broker, apiVersion: 0 }), metadataRequest([]));
    const v1Empty = await metadata.handle(context({ broker, apiVersion: 1 }), metadataRequest([]));
    const v1Null = await metadata.handle(context({ broker, apiVersion: 1 }), metadataRequest(null));
    if (typeof v0 === 'symbol' || typeof v1Empty === 'symbol' || typeof v1Null === 'symbol') throw new Error('a response');
    expect(v0.topics.map((t) => t.topicName)).toEqual(['a', 'b']);
    expect(v1Empty.topics).toEqual([]);
    expect(v1Null.topics.map((t) => [t.topicName, t.partitions.length])).toEqual([['a', 1], ['b', 3]]);
    expect(v1Null.brokers).toEqual([{ nodeId: 0, host: '10.0.0.2', port: 9092, rack: null }]);
    expect(v1Null.controllerId).toBe(0);
    expect(v1Null.topics[1].partitions[2]).toMatchObject({ partitionIndex: 2, leaderId: 0, replicaNodes: [0], isrNodes: [0] });
  });

  it('v13 answers no top-level error (only a broker asking clients to bootstrap again sets one), with topic errors still per topic', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('a');
    const response = await metadata.handle(context({ broker, apiVersion: 13, autoCreateTopics: false }), metadataRequest(['a', 'missing']));
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics.map((t) => [t.topicName, t.errorCode])).toEqual([['a', ErrorCode.NONE], ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    expect(() => encodeResponseFrame(ApiKey.Metadata, 13, 1, response)).not.toThrow();
  });

  it('creates unknown topics with the default partition count and answers LEADER_NOT_AVAILABLE first', async () => {
    const broker = new FakeBroker();
    const response = await metadata.handle(context({ broker, apiVersion: 4 }), metadataRequest(['fresh']));
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.topics[0]).toMatchObject({ topicName: 'fresh', errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitions: [] });
    expect(broker.describeTopic('fresh')?.partitions).toHaveLength(2);
  });

  it('does not create when the server setting or the v4 request flag says no; refuses illegal names', async () => {
    const broker = new FakeBroker();
    const off = await metadata.handle(context({ broker, apiVersion: 4, autoCreateTopics: false }), metadataRequest(['x']));
    const declined = await metadata.handle(context({ broker, apiVersion: 4 }), metadataRequest(['y'], false));
    // Before v4 the flag does not exist: the server setting decides.
    const v3 = await metadata.handle(context({ broker, apiVersion: 3 }), metadataRequest(['z'], false));
    const illegal = await metadata.handle(context({ broker, apiVersion: 4 }), metadataRequest(['bad name!']));
    for (const response of [off, declined, v3, illegal]) if (typeof response === 'symbol') throw new Error('a response');
    expect((off as Exclude<typeof off, symbol>).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((declined as Exclude<typeof off, symbol>).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((v3 as Exclude<typeof off, symbol>).topics[0].errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
    expect([...broker.topics.keys()]).toEqual(['z']);
    expect((illegal as Exclude<typeof off, symbol>).topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});

const creatable = (topicName: string, numPartitions = 1, replicationFactor = 1, configs: { name: string; value: string | null }[] = []) => ({
  topicName,
  numPartitions,
  replicationFactor,
  assignments: [],
  configs,
});

/** CreateTopics v4 (validate_only false) on `broker`: each answered topic's name and error code, in order. */
async function createdCodes(broker: FakeBroker, topics: ReturnType<typeof creatable>[]): Promise<[string, number][]> {
  const response = await createTopics.handle(context({ broker, apiVersion: 4 }), { topics, timeoutMs: 1000, validateOnly: false });
  if (typeof response === 'symbol') throw new Error('a response');
  return response.topics.map((t) => [t.topicName, t.errorCode]);
}

describe('CreateTopics', () => {
  it('creates with configs, defaults −1 partitions, answers per topic', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('exists');
    const codes = await createdCodes(broker, [
      creatable('ok', 3, 1, [{ name: 'retention.ms', value: '1000' }, { name: 'cleanup.policy', value: 'delete' }]),
      creatable('defaulted', -1, -1),
      creatable('replicated', 1, 3),
      creatable('exists'),
      creatable('configured', 1, 1, [{ name: 'no.such.config', value: '1' }]),
      creatable('compacted', 1, 1, [{ name: 'cleanup.policy', value: 'compact' }]),
      creatable('twice'),
      creatable('twice'),
      creatable('none', 0),
    ]);
    expect(codes).toEqual([
      ['ok', ErrorCode.NONE],
      ['defaulted', ErrorCode.NONE],
      ['replicated', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['configured', ErrorCode.INVALID_CONFIG],
      ['compacted', ErrorCode.INVALID_CONFIG],
      ['twice', ErrorCode.INVALID_REQUEST],
      ['twice', ErrorCode.INVALID_REQUEST],
      ['none', ErrorCode.INVALID_PARTITIONS],
    ]);
    expect(broker.describeTopic('ok')?.config.retentionMs).toBe(1000);
    expect(broker.describeTopic('ok')?.partitions).toHaveLength(3);
    expect(broker.describeTopic('defaulted')?.partitions).toHaveLength(2);
  });

  it('refuses names starting with "__" (kept for internal topics) with INVALID_TOPIC_EXCEPTION and the rule, in CreateTopics and auto-creation', async () => {
    const broker = new FakeBroker();
    const rule = 'topic name "__consumer_offsets" is reserved: names starting with "__" are for internal topics';
    for (const validateOnly of [true, false]) {
      const response = await createTopics.handle(context({ broker, apiVersion: 4 }), { topics: [creatable('__consumer_offsets')], timeoutMs: 1000, validateOnly });
      if (typeof response === 'symbol') throw new Error('a response');
      expect(response.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `INVALID_TOPIC_EXCEPTION: ${rule}` });
    }
    const auto = await metadata.handle(context({ broker, apiVersion: 4 }), metadataRequest(['__consumer_offsets']));
    if (typeof auto === 'symbol') throw new Error('a response');
    expect(auto.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(broker.topics.size).toBe(0);
  });

  it('refuses with INVALID_CONFIG the log settings a partition could not be opened with, creating nothing', async () => {
    // Found by the wire fuzzer: segment.bytes=1000 was accepted and written to topics.json; the
    // partition could not open (its largest batch would not fit a segment) and the broker then
    // refused to start on that data directory.
    const broker = new FakeBroker();
    const config = (name: string, value: string) => [{ name, value }];
    const codes = await createdCodes(broker, [
      creatable('tiny-segment', 1, 1, config('segment.bytes', '1000')),
      creatable('huge-segment', 1, 1, config('segment.bytes', String(2 ** 31))),
      creatable('zero-message', 1, 1, config('max.message.bytes', '0')),
      creatable('message-over-segment', 1, 1, [...config('segment.bytes', '2000000'), ...config('max.message.bytes', '3000000')]),
      creatable('retention-below-minus-one', 1, 1, config('retention.ms', '-2')),
      creatable('small-but-consistent', 1, 1, [...config('segment.bytes', '4096'), ...config('max.message.bytes', '1024')]),
      creatable('segment-at-default-batch', 1, 1, config('segment.bytes', String(1024 * 1024 + 12))),
    ]);
    expect(codes).toEqual([
      ['tiny-segment', ErrorCode.INVALID_CONFIG],
      ['huge-segment', ErrorCode.INVALID_CONFIG],
      ['zero-message', ErrorCode.INVALID_CONFIG],
      ['message-over-segment', ErrorCode.INVALID_CONFIG],
      ['retention-below-minus-one', ErrorCode.INVALID_CONFIG],
      ['small-but-consistent', ErrorCode.NONE],
      ['segment-at-default-batch', ErrorCode.NONE],
    ]);
    expect([...broker.topics.keys()].sort()).toEqual(['segment-at-default-batch', 'small-but-consistent']);
  });

  it('validate_only checks without creating', async () => {
    const broker = new FakeBroker();
    const response = await createTopics.handle(context({ broker, apiVersion: 2 }), { topics: [creatable('dry')], timeoutMs: 1000, validateOnly: true });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(broker.topics.has('dry')).toBe(false);
  });

  it('v5+ answers the created topic\'s partitions, replication factor and configs; v7 its id', async () => {
    const broker = new FakeBroker();
    const response = await createTopics.handle(context({ broker, apiVersion: 7 }), {
      topics: [creatable('made', 3, -1, [{ name: 'retention.ms', value: '1000' }]), creatable('made', 1), creatable('other', 0)],
      timeoutMs: 1000,
      validateOnly: false,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    // The duplicated name fails both entries; the zero-partition one fails alone.
    expect(response.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_PARTITIONS]);
    const created = await createTopics.handle(context({ broker, apiVersion: 7 }), {
      topics: [creatable('made', 3, -1, [{ name: 'retention.ms', value: '1000' }])],
      timeoutMs: 1000,
      validateOnly: false,
    });
    if (typeof created === 'symbol') throw new Error('a response');
    const [made] = created.topics;
    expect(made).toMatchObject({ errorCode: 0, numPartitions: 3, replicationFactor: 1 });
    expect([...made.topicId]).toEqual([...broker.describeTopic('made')!.topicId]);
    expect(made.configs).toContainEqual({ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false });
    // Sources as DescribeConfigs reports them: the fake broker's own segment size differs from
    // Kafka's default (STATIC_BROKER_CONFIG, 4); segment.ms is Kafka's default (DEFAULT_CONFIG, 5).
    expect(made.configs).toContainEqual({ name: 'segment.bytes', value: String(1 << 20), readOnly: false, configSource: 4, isSensitive: false });
    expect(made.configs).toContainEqual({ name: 'segment.ms', value: '604800000', readOnly: false, configSource: 5, isSensitive: false });
    expect(made.configs?.map((config) => config.name)).toEqual(topicConfigDefs.map((d) => d.name));
    // A failed entry: no id, Kafka's −1 defaults.
    expect(response.topics[2]).toMatchObject({ numPartitions: -1, replicationFactor: -1, configs: [] });
    expect(response.topics[2].topicId.every((byte) => byte === 0)).toBe(true);
  });

  it('checks manual assignments as Kafka\'s controller does: INVALID_REPLICA_ASSIGNMENT for another broker', async () => {
    const broker = new FakeBroker();
    const withAssignment = (topicName: string, assignments: { partitionIndex: number; brokerIds: number[] }[], numPartitions = -1) => ({ ...creatable(topicName, numPartitions, -1), assignments });
    const response = await createTopics.handle(context({ broker, apiVersion: 7 }), {
      topics: [
        withAssignment('elsewhere', [{ partitionIndex: 0, brokerIds: [10] }]),
        withAssignment('empty', [{ partitionIndex: 0, brokerIds: [] }]),
        withAssignment('twice', [{ partitionIndex: 0, brokerIds: [0, 0] }]),
        withAssignment('gap', [{ partitionIndex: 0, brokerIds: [0] }, { partitionIndex: 2, brokerIds: [0] }]),
        withAssignment('both', [{ partitionIndex: 0, brokerIds: [0] }], 1),
        withAssignment('here', [{ partitionIndex: 1, brokerIds: [0] }, { partitionIndex: 0, brokerIds: [0] }]),
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.topics.map((t) => [t.topicName, t.errorCode])).toEqual([
      ['elsewhere', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['empty', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['twice', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['both', ErrorCode.INVALID_REQUEST],
      ['here', ErrorCode.NONE],
    ]);
    expect(response.topics[0].errorMessage).toMatch(/broker 10/);
    expect(broker.describeTopic('here')?.partitions).toHaveLength(2);
  });
});

describe('topic ids', () => {
  it('Metadata v10+ answers each topic\'s id; v12 finds a topic by id and answers an unknown id UNKNOWN_TOPIC_ID', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('a');
    const idOfA = broker.describeTopic('a')!.topicId;
    const v10 = await metadata.handle(context({ broker, apiVersion: 10 }), metadataRequest(['a', 'new']));
    if (typeof v10 === 'symbol') throw new Error('a response');
    expect([...v10.topics[0].topicId]).toEqual([...idOfA]);
    // Auto-created on this request: no id until the client's retry finds it.
    expect(v10.topics[1]).toMatchObject({ topicName: 'new', errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
    expect(v10.topics[1].topicId.every((byte) => byte === 0)).toBe(true);
    const unknownId = new Uint8Array(16).fill(7);
    const byId = (topicId: Uint8Array) => ({ topicId, topicName: null });
    const v12 = await metadata.handle(context({ broker, apiVersion: 12 }), { ...metadataRequest(null), topics: [byId(idOfA), byId(unknownId), byId(idOfA)] });
    if (typeof v12 === 'symbol') throw new Error('a response');
    expect(v12.topics.map((t) => [t.topicName, t.errorCode])).toEqual([['a', ErrorCode.NONE], [null, ErrorCode.UNKNOWN_TOPIC_ID]]);
    expect([...v12.topics[1].topicId]).toEqual([...unknownId]);
    expect(broker.topics.size).toBe(2); // an id is never auto-created
    // The answer encodes: a null name is legal from v12.
    expect(() => encodeResponseFrame(ApiKey.Metadata, 12, 1, v12)).not.toThrow();
  });

  it('a null name without an id is INVALID_REQUEST, answered with a name the version can carry', async () => {
    const broker = new FakeBroker();
    for (const apiVersion of [10, 12]) {
      const response = await metadata.handle(context({ broker, apiVersion }), { ...metadataRequest(null), topics: [{ topicId: new Uint8Array(16), topicName: null }] });
      if (typeof response === 'symbol') throw new Error('a response');
      expect(response.topics[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(() => encodeResponseFrame(ApiKey.Metadata, apiVersion, 1, response)).not.toThrow();
    }
  });

  it('DeleteTopics v6 deletes by name or by id, and answers both', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('by-name');
    await broker.createTopic('by-id');
    const nameId = broker.describeTopic('by-name')!.topicId;
    const idId = broker.describeTopic('by-id')!.topicId;
    const zero = new Uint8Array(16);
    const response = await deleteTopics.handle(context({ broker, apiVersion: 6 }), {
      topics: [
        { topicName: 'by-name', topicId: zero },
        { topicName: null, topicId: idId },
        { topicName: null, topicId: new Uint8Array(16).fill(9) },
        { topicName: 'x', topicId: idId },
        { topicName: null, topicId: zero },
      ],
      topicNames: [],
      timeoutMs: 1000,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.responses.map((r) => [r.topicName, r.errorCode])).toEqual([
      ['by-name', ErrorCode.NONE],
      ['by-id', ErrorCode.NONE],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
      ['x', ErrorCode.INVALID_REQUEST],
      [null, ErrorCode.INVALID_REQUEST],
    ]);
    expect([...response.responses[0].topicId]).toEqual([...nameId]);
    expect([...response.responses[1].topicId]).toEqual([...idId]);
    expect(broker.topics.size).toBe(0);
    expect(() => encodeResponseFrame(ApiKey.DeleteTopics, 6, 1, response)).not.toThrow();
  });
});

describe('DeleteTopics and CreatePartitions', () => {
  it('answer per topic', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('a', { partitions: 2 });
    const grown = await createPartitions.handle(context({ broker, apiVersion: 1 }), {
      topics: [{ topicName: 'a', count: 4, assignments: null }, { topicName: 'a2', count: 4, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const shrunk = await createPartitions.handle(context({ broker, apiVersion: 0 }), { topics: [{ topicName: 'a', count: 1, assignments: null }], timeoutMs: 1000, validateOnly: false });
    const deleted = await deleteTopics.handle(context({ broker, apiVersion: 1 }), { topics: [], topicNames: ['a', 'never'], timeoutMs: 1000 });
    for (const response of [grown, shrunk, deleted]) if (typeof response === 'symbol') throw new Error('a response');
    expect((grown as { results: { errorCode: number }[] }).results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect((shrunk as { results: { errorCode: number }[] }).results[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect((deleted as { responses: { errorCode: number }[] }).responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });

  it('CreatePartitions refuses an assignment naming another broker, or of the wrong shape, with INVALID_REPLICA_ASSIGNMENT', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('a', { partitions: 1 });
    const grow = async (assignments: { brokerIds: number[] }[] | null, count = 3) => {
      const response = await createPartitions.handle(context({ broker, apiVersion: 3 }), { topics: [{ topicName: 'a', count, assignments }], timeoutMs: 1000, validateOnly: true });
      if (typeof response === 'symbol') throw new Error('a response');
      return response.results[0];
    };
    const elsewhere = await grow([{ brokerIds: [10] }, { brokerIds: [0] }]);
    expect(elsewhere.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(elsewhere.errorMessage).toMatch(/broker 10/);
    expect((await grow([{ brokerIds: [0] }])).errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT); // 1 list for 2 new partitions
    expect((await grow([{ brokerIds: [0] }, { brokerIds: [] }])).errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect((await grow([{ brokerIds: [0] }, { brokerIds: [0, 0] }])).errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect((await grow([{ brokerIds: [0] }, { brokerIds: [0] }])).errorCode).toBe(ErrorCode.NONE);
    expect((await grow(null)).errorCode).toBe(ErrorCode.NONE);
    expect(broker.describeTopic('a')?.partitions).toHaveLength(1); // validate only
  });
});

describe('DescribeConfigs', () => {
  it('reports topic configs (all, or the keys asked for) and refuses unknown resources', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { config: { retentionMs: 5000 } });
    const response = await describeConfigs.handle(context({ broker, apiVersion: 1 }), {
      resources: [
        { resourceType: 2, resourceName: 't', configurationKeys: null },
        { resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
        { resourceType: 4, resourceName: '0', configurationKeys: null },
        { resourceType: 9, resourceName: 'x', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    const [all, one, missing, brokerConfigs, unknown] = response.results;
    expect(all.configs.map((c) => c.name)).toEqual(topicConfigDefs.map((d) => d.name));
    expect(one.configs).toEqual([{ name: 'retention.ms', value: '5000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [], configType: 5, documentation: null }]);
    expect(missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(brokerConfigs.configs.find((c) => c.name === 'auto.create.topics.enable')?.value).toBe('true');
    expect(unknown.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('ListOffsets', () => {
  it('answers latest (−1), earliest (−2), by timestamp, and unknown partitions', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    await broker.produce('t', 0, new Uint8Array(70), {});
    await broker.produce('t', 0, new Uint8Array(70), {});
    const response = await listOffsets.handle(context({ broker, apiVersion: 4 }), {
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        {
          topicName: 't',
          partitions: [
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 500 },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 5000 },
            { partitionIndex: 3, currentLeaderEpoch: -1, timestamp: -1 },
          ],
        },
      ],
      timeoutMs: 0,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.topics[0].partitions.map((p) => [p.errorCode, p.offset])).toEqual([
      [ErrorCode.NONE, 2],
      [ErrorCode.NONE, 0],
      [ErrorCode.NONE, 0],
      [ErrorCode.NONE, -1],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ]);
  });

  // A request naming one partition thousands of times (as a hostile client may) looks the topic up
  // once, not once per entry: each lookup reads every partition of the topic.
  it('looks each topic up once per request, however often the request names it', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { partitions: 4 });
    await broker.produce('t', 1, new Uint8Array(70), {});
    let lookups = 0;
    const describeTopic = broker.describeTopic.bind(broker);
    broker.describeTopic = (name) => {
      lookups++;
      return describeTopic(name);
    };
    const partitions = Array.from({ length: 5000 }, (_, i) => ({ partitionIndex: i % 5, currentLeaderEpoch: -1, timestamp: -1 }));
    const response = await listOffsets.handle(context({ broker, apiVersion: 4 }), {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ topicName: 't', partitions }, { topicName: 't', partitions: partitions.slice(0, 3) }, { topicName: 'missing', partitions: partitions.slice(0, 3) }],
      timeoutMs: 0,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(lookups).toBe(2);
    expect(response.topics[0].partitions.slice(0, 5).map((p) => [p.errorCode, p.offset])).toEqual([
      [ErrorCode.NONE, 0],
      [ErrorCode.NONE, 1],
      [ErrorCode.NONE, 0],
      [ErrorCode.NONE, 0],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ]);
    expect(response.topics[2].partitions.map((p) => p.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });

  // v7–v10 let a client send −3 (max timestamp), −4 (earliest local) and −5 (latest tiered); a
  // single-tier log answers −4 as −2 and has no tiered offset (−1), as Kafka does for a topic
  // without tiered storage.
  it.each([7, 8, 9, 10])('v%i answers max timestamp (−3), earliest local (−4) and latest tiered (−5)', async (apiVersion) => {
    const broker = new FakeBroker();
    await broker.createTopic('t', { partitions: 2 });
    for (let i = 0; i < 5; i++) await broker.produce('t', 0, new Uint8Array(70), {});
    await broker.deleteRecords('t', 0, 2);
    broker.maxTimestampRecords.set('t-0', { offset: 3, timestamp: 1_700_000_000_123 });
    const response = await listOffsets.handle(context({ broker, apiVersion }), {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          topicName: 't',
          partitions: [-3, -4, -5].flatMap((timestamp) => [0, 1].map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp }))),
        },
      ],
      timeoutMs: 30_000,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.topics[0].partitions).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.NONE, offset: 3, timestamp: 1_700_000_000_123, leaderEpoch: 0 },
      // An empty partition has no record with a largest timestamp.
      { partitionIndex: 1, errorCode: ErrorCode.NONE, offset: -1, timestamp: -1, leaderEpoch: -1 },
      { partitionIndex: 0, errorCode: ErrorCode.NONE, offset: 2, timestamp: -1, leaderEpoch: 0 },
      { partitionIndex: 1, errorCode: ErrorCode.NONE, offset: 0, timestamp: -1, leaderEpoch: 0 },
      { partitionIndex: 0, errorCode: ErrorCode.NONE, offset: -1, timestamp: -1, leaderEpoch: -1 },
      { partitionIndex: 1, errorCode: ErrorCode.NONE, offset: -1, timestamp: -1, leaderEpoch: -1 },
    ]);
    expect(() => encodeResponseFrame(ApiKey.ListOffsets, apiVersion, 7, response)).not.toThrow();
  });
});

describe('ListOffsets and the isolation level', () => {
  // Kafka's Partition.fetchOffsetForTimestamp: a record found by timestamp counts only below the
  // last stable offset (read_committed) or the high watermark (read_uncommitted).
  it('answers −3 and a timestamp as none when the record found lies at or past what the client may read', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('t');
    for (let i = 0; i < 5; i++) await broker.produce('t', 0, new Uint8Array(70), {});
    broker.maxTimestampRecords.set('t-0', { offset: 3, timestamp: 9_000 });
    broker.lastStableOffsets.set('t-0', 3); // an open transaction from offset 3
    const ask = async (isolationLevel: number) => {
      const response = await listOffsets.handle(context({ broker, apiVersion: 9 }), {
        replicaId: -1,
        isolationLevel,
        topics: [{ topicName: 't', partitions: [-3, -1, 100].map((timestamp) => ({ partitionIndex: 0, currentLeaderEpoch: -1, timestamp })) }],
        timeoutMs: 0,
      });
      if (typeof response === 'symbol') throw new Error('a response');
      return response.topics[0].partitions.map((p) => [p.offset, p.timestamp]);
    };
    // The fake finds any timestamp below 1000 at offset 0.
    expect(await ask(0)).toEqual([[3, 9_000], [5, -1], [0, 100]]);
    expect(await ask(1)).toEqual([[-1, -1], [3, -1], [0, 100]]);
    broker.lastStableOffsets.set('t-0', 0); // open from the first record
    expect(await ask(1)).toEqual([[-1, -1], [0, -1], [-1, -1]]);
  });
});

describe('error messages quoting what the client sent', () => {
  // Found by the wire fuzzer: CreatePartitions with a 32,766-byte topic name answered
  // "topic <name> does not exist", whose 32,800 bytes no longer fit a protocol string; encoding
  // the response asserted and the broker process exited. Every response must still encode.
  const hugeName = 'y'.repeat(0x7fff);

  it('CreatePartitions for an unknown topic with a 32,767-byte name answers a response that encodes', async () => {
    const response = await createPartitions.handle(context({ broker: new FakeBroker(), apiVersion: 1 }), {
      topics: [{ topicName: hugeName, count: 2, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.results[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // The name is quoted cut short, and the message says what is wrong.
    expect(response.results[0].errorMessage).toMatch(/topic "y+"… \(32767 characters\) does not exist$/);
    expect(() => encodeResponseFrame(ApiKey.CreatePartitions, 1, 7, response)).not.toThrow();
  });

  it('DescribeConfigs for an unknown topic or broker with a 32,767-byte name answers a response that encodes', async () => {
    const response = await describeConfigs.handle(context({ broker: new FakeBroker(), apiVersion: 1 }), {
      resources: [
        { resourceType: 2, resourceName: hugeName, configurationKeys: null },
        { resourceType: 4, resourceName: hugeName, configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    expect(response.results.map((result) => result.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST]);
    expect(() => encodeResponseFrame(ApiKey.DescribeConfigs, 1, 7, response)).not.toThrow();
  });
});
