// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs against a fake broker: what a topic
// reports untouched (checked value by value against Kafka 4.x's documented defaults, written out
// here rather than read from Lanes's own table), what it reports once configs are set, how each
// change is validated, and that validateOnly changes nothing.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { alterConfigs } from '../../../core/handlers/alter_configs.js';
import { describeConfigs } from '../../../core/handlers/describe_configs.js';
import { incrementalAlterConfigs } from '../../../core/handlers/incremental_alter_configs.js';
import { checkTopicConfigValue } from '../../../core/handlers/topic_config.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { describeConfigsApi } from '../../../core/protocol/messages/describe_configs.js';
import { encodeResponseFrame } from '../../../core/protocol/codec.js';
import { context, FakeBroker } from './fakes.js';

/** Kafka 4.x's topic config defaults and types (Kafka's "Topic Configs" documentation). */
const kafkaTopicDefaults: Record<string, [value: string, type: string]> = {
  'cleanup.policy': ['delete', 'LIST'],
  'compression.type': ['producer', 'STRING'],
  'delete.retention.ms': ['86400000', 'LONG'],
  'file.delete.delay.ms': ['60000', 'LONG'],
  'flush.messages': ['9223372036854775807', 'LONG'],
  'flush.ms': ['9223372036854775807', 'LONG'],
  'follower.replication.throttled.replicas': ['', 'LIST'],
  'index.interval.bytes': ['4096', 'INT'],
  'leader.replication.throttled.replicas': ['', 'LIST'],
  'max.compaction.lag.ms': ['9223372036854775807', 'LONG'],
  'max.message.bytes': ['1048588', 'INT'],
  'message.timestamp.type': ['CreateTime', 'STRING'],
  'min.cleanable.dirty.ratio': ['0.5', 'DOUBLE'],
  'min.compaction.lag.ms': ['0', 'LONG'],
  'min.insync.replicas': ['1', 'INT'],
  'preallocate': ['false', 'BOOLEAN'],
  'retention.bytes': ['-1', 'LONG'],
  'retention.ms': ['604800000', 'LONG'],
  'segment.bytes': ['1073741824', 'INT'],
  'segment.index.bytes': ['10485760', 'INT'],
  'segment.jitter.ms': ['0', 'LONG'],
  'segment.ms': ['604800000', 'LONG'],
  'unclean.leader.election.enable': ['false', 'BOOLEAN'],
};
/** Kafka's ConfigType codes. */
const typeCode: Record<string, number> = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7 };
const DYNAMIC_TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

/** A broker whose topic defaults are Kafka's own. */
function kafkaDefaultBroker(): FakeBroker {
  const broker = new FakeBroker();
  broker.topicConfigDefaults = { retentionMs: 604_800_000, retentionBytes: -1, segmentBytes: 1_073_741_824, segmentMs: 604_800_000, maxMessageBytes: 1_048_588 };
  return broker;
}

async function describeTopic(broker: FakeBroker, apiVersion: number, name: string, keys: string[] | null, options = { includeSynonyms: false, includeDocumentation: false }) {
  const response = await describeConfigs.handle(context({ broker, apiVersion }), { resources: [{ resourceType: 2, resourceName: name, configurationKeys: keys }], ...options });
  if (typeof response === 'symbol') throw new Error('a response');
  for (let version = describeConfigsApi.versionMin; version <= describeConfigsApi.versionMax; version++) {
    expect(() => encodeResponseFrame(ApiKey.DescribeConfigs, version, 1, response)).not.toThrow();
  }
  return response.results[0];
}

describe('DescribeConfigs of a topic', () => {
  it('reports every topic config of an untouched topic with Kafka 4.x\'s default, type and DEFAULT_CONFIG', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const result = await describeTopic(broker, 3, 't', null, { includeSynonyms: false, includeDocumentation: true });
    expect(result.errorCode).toBe(ErrorCode.NONE);
    expect(Object.fromEntries(result.configs.map((c) => [c.name, [c.value, c.configType]]))).toEqual(
      Object.fromEntries(Object.entries(kafkaTopicDefaults).map(([name, [value, type]]) => [name, [value, typeCode[type]]])),
    );
    for (const config of result.configs) {
      expect(config, config.name).toMatchObject({ configSource: DEFAULT_CONFIG, isDefault: true, readOnly: false, isSensitive: false, synonyms: [] });
      expect(config.documentation, config.name).toMatch(/\w+/);
    }
  });

  it('answers the keys asked for, compression.type included, and leaves out names it does not know', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const result = await describeTopic(broker, 1, 't', ['compression.type', 'retention.ms', 'no.such.config']);
    expect(result.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
      ['compression.type', 'producer', DEFAULT_CONFIG],
      ['retention.ms', '604800000', DEFAULT_CONFIG],
    ]);
  });

  it('reports a set config as DYNAMIC_TOPIC_CONFIG with its synonyms, a broker default that differs from Kafka\'s as STATIC_BROKER_CONFIG', async () => {
    const broker = new FakeBroker(); // log.segment.bytes is 1 MiB on this broker
    await broker.createTopic('t', { configs: { 'retention.ms': '5000', 'compression.type': 'zstd' } });
    const result = await describeTopic(broker, 2, 't', ['retention.ms', 'segment.bytes', 'compression.type', 'retention.bytes'], { includeSynonyms: true, includeDocumentation: false });
    const byName = Object.fromEntries(result.configs.map((c) => [c.name, c]));
    expect(byName['retention.ms']).toMatchObject({
      value: '5000',
      configSource: DYNAMIC_TOPIC_CONFIG,
      isDefault: false,
      synonyms: [
        { name: 'retention.ms', value: '5000', source: DYNAMIC_TOPIC_CONFIG },
        { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
      ],
    });
    expect(byName['segment.bytes']).toMatchObject({
      value: String(1 << 20),
      configSource: STATIC_BROKER_CONFIG,
      isDefault: false,
      synonyms: [
        { name: 'log.segment.bytes', value: String(1 << 20), source: STATIC_BROKER_CONFIG },
        { name: 'log.segment.bytes', value: '1073741824', source: DEFAULT_CONFIG },
      ],
    });
    expect(byName['compression.type']).toMatchObject({ value: 'zstd', configSource: DYNAMIC_TOPIC_CONFIG });
    expect(byName['retention.bytes']).toMatchObject({ value: '-1', configSource: DEFAULT_CONFIG, synonyms: [{ name: 'log.retention.bytes', value: '-1', source: DEFAULT_CONFIG }] });
  });

  it('gives documentation only when asked (v3+)', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const v3 = await describeTopic(broker, 3, 't', ['retention.ms']);
    expect(v3.configs[0].documentation).toBeNull();
  });
});

describe('DescribeConfigs of the broker', () => {
  it('reports the broker configs Lanes has, read-only, with their sources', async () => {
    const response = await describeConfigs.handle(context({ broker: new FakeBroker(), apiVersion: 1 }), {
      resources: [
        { resourceType: 4, resourceName: '0', configurationKeys: null },
        { resourceType: 4, resourceName: '7', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    if (typeof response === 'symbol') throw new Error('a response');
    const [mine, other] = response.results;
    const byName = Object.fromEntries(mine.configs.map((c) => [c.name, c]));
    expect(byName['auto.create.topics.enable']).toMatchObject({ value: 'true', configSource: DEFAULT_CONFIG, readOnly: true });
    expect(byName['num.partitions']).toMatchObject({ value: '2', configSource: STATIC_BROKER_CONFIG, readOnly: true }); // the fake's default is 2, Kafka's 1
    expect(byName['broker.id']).toMatchObject({ value: '0', configSource: STATIC_BROKER_CONFIG });
    expect(byName['log.retention.ms']).toMatchObject({ value: '604800000', configSource: DEFAULT_CONFIG });
    expect(byName['log.segment.bytes']).toMatchObject({ value: String(1 << 20), configSource: STATIC_BROKER_CONFIG });
    expect(byName['message.max.bytes']).toMatchObject({ value: String(1 << 20), configSource: STATIC_BROKER_CONFIG });
    expect(mine.configs.every((c) => c.readOnly)).toBe(true);
    expect(other.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

type AlterResponse = { responses: { errorCode: number; errorMessage: string | null; resourceName: string }[] };

async function alter(broker: FakeBroker, resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[], validateOnly = false, apiVersion = 1) {
  const response = await alterConfigs.handle(context({ broker, apiVersion }), { resources, validateOnly });
  if (typeof response === 'symbol') throw new Error('a response');
  expect(() => encodeResponseFrame(ApiKey.AlterConfigs, apiVersion, 1, response)).not.toThrow();
  return (response as AlterResponse).responses;
}

async function increment(broker: FakeBroker, name: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) {
  const response = await incrementalAlterConfigs.handle(context({ broker, apiVersion: 1 }), { resources: [{ resourceType: 2, resourceName: name, configs }], validateOnly });
  if (typeof response === 'symbol') throw new Error('a response');
  expect(() => encodeResponseFrame(ApiKey.IncrementalAlterConfigs, 1, 1, response)).not.toThrow();
  return (response as AlterResponse).responses[0];
}

describe('AlterConfigs', () => {
  it('replaces a topic\'s configs: the ones left out go back to their defaults', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t', { configs: { 'retention.ms': '5000' } });
    const [answer] = await alter(broker, [{ resourceType: 2, resourceName: 't', configs: [{ name: 'segment.ms', value: '60000' }, { name: 'cleanup.policy', value: 'delete' }] }]);
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, resourceName: 't' });
    expect(broker.topics.get('t')!.overrides).toEqual({ 'segment.ms': '60000', 'cleanup.policy': 'delete' });
    expect(broker.topics.get('t')!.config).toMatchObject({ retentionMs: 604_800_000, segmentMs: 60_000 });
  });

  it('validateOnly checks and changes nothing', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const answers = await alter(
      broker,
      [
        { resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] },
        { resourceType: 2, resourceName: 'missing', configs: [] },
      ],
      true,
    );
    expect(answers.map((a) => a.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(broker.altered).toEqual([]);
    expect(broker.topics.get('t')!.overrides).toEqual({});
  });

  it('refuses unknown names and bad values with INVALID_CONFIG and a message naming them', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const cases: [string, string | null, RegExp][] = [
      ['no.such.config', '1', /unknown topic config "no\.such\.config"/],
      ['retention.ms', 'abc', /retention\.ms needs an integer, got "abc"/],
      ['retention.ms', '-2', /retention\.ms must be at least -1, got -2/],
      ['retention.ms', null, /retention\.ms needs a value/],
      ['max.message.bytes', '4294967296', /32-bit integer/],
      ['cleanup.policy', 'compact', /not supported \(Lanes behaves as cleanup\.policy=delete\)/],
      ['compression.type', 'brotli', /must be one of/],
      ['preallocate', 'yes', /needs true or false/],
      ['min.cleanable.dirty.ratio', '1.5', /between 0 and 1/],
      ['segment.bytes', '1000', /segment\.bytes must be between max\.message\.bytes/],
    ];
    for (const [name, value, message] of cases) {
      const [answer] = await alter(broker, [{ resourceType: 2, resourceName: 't', configs: [{ name, value }] }]);
      expect(answer.errorCode, `${name}=${value}`).toBe(ErrorCode.INVALID_CONFIG);
      expect(answer.errorMessage, `${name}=${value}`).toMatch(message);
    }
    expect(broker.altered).toEqual([]);
  });

  it('refuses a resource named twice, a config named twice, other resource types, and every change to the broker', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const twice = await alter(broker, [
      { resourceType: 2, resourceName: 't', configs: [] },
      { resourceType: 2, resourceName: 't', configs: [] },
    ]);
    expect(twice.map((a) => a.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    const [repeated] = await alter(broker, [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }] }]);
    expect(repeated.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const [group] = await alter(broker, [{ resourceType: 3, resourceName: 'g', configs: [] }]);
    expect(group.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const [readOnly, unknownBroker, noChange] = await alter(broker, [
      { resourceType: 4, resourceName: '0', configs: [{ name: 'num.partitions', value: '3' }] },
      { resourceType: 4, resourceName: '9', configs: [] },
      { resourceType: 4, resourceName: '', configs: [] },
    ]);
    expect(readOnly).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/num\.partitions.*cannot be updated dynamically/) });
    expect(unknownBroker.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(noChange.errorCode).toBe(ErrorCode.NONE);
    expect(broker.altered).toEqual([]);
  });
});

describe('IncrementalAlterConfigs', () => {
  it('SET and DELETE change only the configs named', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t', { configs: { 'retention.ms': '5000', 'retention.bytes': '1000000' } });
    const answer = await increment(broker, 't', [
      { name: 'retention.ms', configOperation: 1, value: null },
      { name: 'max.message.bytes', configOperation: 0, value: '2000000' },
    ]);
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(broker.topics.get('t')!.overrides).toEqual({ 'retention.bytes': '1000000', 'max.message.bytes': '2000000' });
    expect(broker.topics.get('t')!.config).toMatchObject({ retentionMs: 604_800_000, retentionBytes: 1_000_000, maxMessageBytes: 2_000_000 });
  });

  it('APPEND and SUBTRACT edit list configs only', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    expect((await increment(broker, 't', [{ name: 'leader.replication.throttled.replicas', configOperation: 2, value: '0:0,1:0' }])).errorCode).toBe(ErrorCode.NONE);
    expect((await increment(broker, 't', [{ name: 'leader.replication.throttled.replicas', configOperation: 2, value: '1:0,2:0' }])).errorCode).toBe(ErrorCode.NONE);
    expect(broker.topics.get('t')!.overrides['leader.replication.throttled.replicas']).toBe('0:0,1:0,2:0');
    expect((await increment(broker, 't', [{ name: 'leader.replication.throttled.replicas', configOperation: 3, value: '0:0' }])).errorCode).toBe(ErrorCode.NONE);
    expect(broker.topics.get('t')!.overrides['leader.replication.throttled.replicas']).toBe('1:0,2:0');
    // cleanup.policy is a list; appending compact makes "delete,compact", which Lanes cannot honour.
    expect(await increment(broker, 't', [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    expect(await increment(broker, 't', [{ name: 'retention.ms', configOperation: 2, value: '5' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/not a list/) });
  });

  it('refuses unknown names (even to DELETE) and unknown operations; validateOnly changes nothing', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    expect((await increment(broker, 't', [{ name: 'no.such', configOperation: 1, value: null }])).errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await increment(broker, 't', [{ name: 'retention.ms', configOperation: 9, value: '1' }])).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await increment(broker, 't', [{ name: 'retention.ms', configOperation: 0, value: '1' }], true)).errorCode).toBe(ErrorCode.NONE);
    expect(broker.altered).toEqual([]);
  });
});

describe('hostile config requests', () => {
  it('APPEND cannot grow a value past what DescribeConfigs can send back', async () => {
    const broker = kafkaDefaultBroker();
    await broker.createTopic('t');
    const item = (i: number) => `${i}:${'9'.repeat(2000)}`;
    let refused: { errorCode: number; errorMessage: string | null } | undefined;
    for (let i = 0; i < 20 && refused === undefined; i++) {
      const answer = await increment(broker, 't', [{ name: 'leader.replication.throttled.replicas', configOperation: 2, value: [item(2 * i), item(2 * i + 1)].join(',') }]);
      if (answer.errorCode !== ErrorCode.NONE) refused = answer;
    }
    expect(refused).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/at most 32767 bytes/) });
    const described = await describeTopic(broker, 4, 't', null); // encodes at every version
    expect(described.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('checkTopicConfigValue', () => {
  it('normalises what it accepts and bounds integers by their Kafka type', () => {
    expect(checkTopicConfigValue('flush.messages', '9223372036854775807')).toBe('9223372036854775807');
    expect(() => checkTopicConfigValue('flush.messages', '9223372036854775808')).toThrow(/64-bit integer/);
    // Lanes's log counts in doubles: a setting it acts on must be a safe integer.
    expect(() => checkTopicConfigValue('retention.ms', '9223372036854775807')).toThrow(/within ±9007199254740991/);
    expect(checkTopicConfigValue('retention.ms', ' 007 ')).toBe('7');
    expect(checkTopicConfigValue('preallocate', 'TRUE')).toBe('true');
    expect(checkTopicConfigValue('cleanup.policy', ' delete ')).toBe('delete');
    expect(checkTopicConfigValue('leader.replication.throttled.replicas', '0:0, 1:0')).toBe('0:0,1:0');
    // Refused by its length, before any arithmetic on 32,767 digits.
    expect(() => checkTopicConfigValue('retention.ms', '9'.repeat(0x7fff))).toThrow(/64-bit integer/);
    expect(checkTopicConfigValue('retention.ms', `${'0'.repeat(100)}5`)).toBe('5');
  });
});
