// Unmodified kafkajs 2.2.4 admin against the built `lanes start` (disk storage): describeConfigs
// of an untouched topic gives Kafka's defaults and sources, alterConfigs with validateOnly
// changes nothing, alterConfigs changes the topic and refuses a bad value with INVALID_CONFIG,
// and a restarted broker still has the altered configs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type ConfigEntries } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-kafkajs-configs-'));
let broker: RunningBroker | undefined;
let admin: Admin | undefined;

afterAll(async () => {
  await admin?.disconnect().catch(() => undefined);
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function connect(): Promise<Admin> {
  broker = await startBroker(['--storage', 'disk', '--data-dir', dataDir, '--shards', '1', '--log-level', 'warn']);
  const kafka = new Kafka({ clientId: 'lanes-configs', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
  return admin;
}

async function topicConfigs(client: Admin, topic: string): Promise<Record<string, ConfigEntries>> {
  const described = await client.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: false });
  return Object.fromEntries(described.resources[0].configEntries.map((entry) => [entry.configName, entry]));
}

const DEFAULT_CONFIG = 5;
const TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;

describe('kafkajs admin configs against lanes start', () => {
  it('describes defaults, alters with validateOnly and for real, refuses bad values, and keeps the change across a restart', async () => {
    let client = await connect();
    expect(await client.createTopics({ topics: [{ topic: 'tuned', numPartitions: 1 }], waitForLeaders: true })).toBe(true);

    const untouched = await topicConfigs(client, 'tuned');
    // Kafka 4.x's documented defaults, as a Kafka broker with nothing set reports them.
    const kafkaDefaults = { 'retention.ms': '604800000', 'retention.bytes': '-1', 'cleanup.policy': 'delete', 'compression.type': 'producer', 'max.message.bytes': '1048588', 'segment.ms': '604800000', 'min.insync.replicas': '1', 'message.timestamp.type': 'CreateTime' };
    for (const [name, value] of Object.entries(kafkaDefaults)) {
      expect(untouched[name], name).toMatchObject({ configValue: value, configSource: DEFAULT_CONFIG, isDefault: true, readOnly: false, isSensitive: false });
    }
    // Lanes's disk segments are 64 MiB where Kafka's are 1 GiB: the broker's own setting.
    expect(untouched['segment.bytes']).toMatchObject({ configValue: String(64 * 1024 * 1024), configSource: STATIC_BROKER_CONFIG, isDefault: false });

    const change = { type: 2, name: 'tuned', configEntries: [{ name: 'retention.ms', value: '86400000' }, { name: 'max.message.bytes', value: '500000' }] };
    await client.alterConfigs({ validateOnly: true, resources: [change] });
    expect((await topicConfigs(client, 'tuned'))['retention.ms']).toMatchObject({ configValue: '604800000', configSource: DEFAULT_CONFIG });

    await client.alterConfigs({ validateOnly: false, resources: [change] });
    const altered = await topicConfigs(client, 'tuned');
    expect(altered['retention.ms']).toMatchObject({ configValue: '86400000', configSource: TOPIC_CONFIG, isDefault: false });
    expect(altered['max.message.bytes']).toMatchObject({ configValue: '500000', configSource: TOPIC_CONFIG });

    for (const validateOnly of [true, false]) {
      await expect(client.alterConfigs({ validateOnly, resources: [{ type: 2, name: 'tuned', configEntries: [{ name: 'retention.ms', value: 'a week' }] }] })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
      await expect(client.alterConfigs({ validateOnly, resources: [{ type: 2, name: 'tuned', configEntries: [{ name: 'retention.days', value: '7' }] }] })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    }

    await client.disconnect();
    expect((await broker!.stop()).code).toBe(0);
    client = await connect();
    const restarted = await topicConfigs(client, 'tuned');
    expect(restarted['retention.ms']).toMatchObject({ configValue: '86400000', configSource: TOPIC_CONFIG });
    expect(restarted['max.message.bytes']).toMatchObject({ configValue: '500000', configSource: TOPIC_CONFIG });
    expect(restarted['compression.type']).toMatchObject({ configValue: 'producer', configSource: DEFAULT_CONFIG });
  });
});
