// Unmodified kafkajs 2.2.4 against the built `lanes start --authorizer`: the ACL APIs (describe,
// create, delete, kept across a restart) and what they decide for produce, fetch, metadata,
// group join and offset commit. Without SASL every client is User:ANONYMOUS, so the test starts
// the broker on a data dir whose ACL file it wrote first (bootstrapping as an operator would
// with a super user): ANONYMOUS may do anything to the cluster, to topics named "open-*" and
// to groups named "g-ok*", DESCRIBE group "g-look", but not WRITE "open-locked"; nothing else.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type Admin } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { AclOperation, AclPermission, PatternType, ResourceType, type AclBinding } from '../../core/acl/acl.js';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { RawClient } from '../integration/wire/raw_client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-kafkajs-acls-'));
const running: RunningBroker[] = [];
const clients: { disconnect(): Promise<void> }[] = [];

afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  for (const broker of running) await broker.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const anonymous = 'User:ANONYMOUS';
const seeded: AclBinding[] = [
  { resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', patternType: PatternType.LITERAL, principal: anonymous, host: '*', operation: AclOperation.ALL, permission: AclPermission.ALLOW },
  { resourceType: ResourceType.TOPIC, resourceName: 'open-', patternType: PatternType.PREFIXED, principal: anonymous, host: '*', operation: AclOperation.ALL, permission: AclPermission.ALLOW },
  { resourceType: ResourceType.TOPIC, resourceName: 'open-locked', patternType: PatternType.LITERAL, principal: anonymous, host: '*', operation: AclOperation.WRITE, permission: AclPermission.DENY },
  { resourceType: ResourceType.GROUP, resourceName: 'g-ok', patternType: PatternType.PREFIXED, principal: anonymous, host: '*', operation: AclOperation.ALL, permission: AclPermission.ALLOW },
  { resourceType: ResourceType.GROUP, resourceName: 'g-look', patternType: PatternType.LITERAL, principal: anonymous, host: '*', operation: AclOperation.DESCRIBE, permission: AclPermission.ALLOW },
];

async function start(args: string[]): Promise<{ broker: RunningBroker; kafka: Kafka }> {
  const broker = await startBroker([...args, '--shards', '1', '--log-level', 'warn', '--dev']);
  running.push(broker);
  const kafka = new Kafka({ clientId: 'lanes-acls', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });
  return { broker, kafka };
}

async function connectedAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  clients.push(admin);
  await admin.connect();
  return admin;
}

/** The Kafka error type a failed kafkajs call carries (its own or its cause's). */
function errorType(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { type, cause, originalError } = current as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof type === 'string') return type;
    current = originalError ?? cause;
  }
  return String(error);
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return errorType(error);
  }
  return 'no error';
}

const anyAclFilter = {
  resourceType: AclResourceTypes.ANY,
  resourcePatternType: ResourcePatternTypes.ANY,
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
} as const;

describe('kafkajs against lanes start --authorizer', () => {
  it('answers the ACL APIs SECURITY_DISABLED without an authorizer', async () => {
    const { kafka } = await start(['--storage', 'memory']);
    const admin = await connectedAdmin(kafka);
    expect(await failure(admin.describeAcls(anyAclFilter))).toBe('SECURITY_DISABLED');
  });

  it('describes, creates and deletes ACLs, enforces them on produce, fetch, metadata, join and commit, and keeps them across a restart', async () => {
    mkdirSync(join(dataDir, '.lanes'), { recursive: true });
    writeFileSync(join(dataDir, '.lanes', 'acls.json'), JSON.stringify({ version: 1, bindings: seeded }));
    const diskArgs = ['--storage', 'disk', '--data-dir', dataDir, '--authorizer'];
    let { broker, kafka } = await start(diskArgs);
    const admin = await connectedAdmin(kafka);

    const described = await admin.describeAcls(anyAclFilter);
    expect(described.resources.flatMap((resource) => resource.acls)).toHaveLength(seeded.length);
    expect(described.resources).toContainEqual({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'open-locked',
      resourcePatternType: ResourcePatternTypes.LITERAL,
      acls: [{ principal: anonymous, host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY }],
    });

    // CREATE on the cluster lets the client make any topic; it sees only the ones it may DESCRIBE.
    expect(await admin.createTopics({ topics: ['open-a', 'open-locked', 'closed'].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: false })).toBe(true);
    const listed = await admin.listTopics();
    expect(listed.sort()).toEqual(['open-a', 'open-locked']);

    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    clients.push(producer);
    await producer.connect();
    await producer.send({ topic: 'open-a', messages: [{ value: 'allowed' }] });
    expect(await failure(producer.send({ topic: 'open-locked', messages: [{ value: 'denied' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await failure(producer.send({ topic: 'closed', messages: [{ value: 'denied' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');

    // A group the client may use reads and commits; another is refused at its coordinator.
    const consumer = kafka.consumer({ groupId: 'g-ok-1', retry: { retries: 0 } });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'open-a', fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            resolve();
          },
        })
        .catch(reject);
    });
    await consumer.stop();
    expect(values).toEqual(['allowed']);
    const committed = await admin.fetchOffsets({ groupId: 'g-ok-1', topics: ['open-a'] });
    expect(committed[0].partitions[0].offset).toBe('1');
    // A group it may only DESCRIBE: its offsets can be read, but committing (READ) and joining are
    // refused. (kafkajs's setOffsets joins the group, and waits for a fetch that never comes: the
    // commit goes over a raw connection, as an admin tool's OffsetCommit would.)
    expect(await admin.fetchOffsets({ groupId: 'g-look', topics: ['open-a'] })).toHaveLength(1);
    const raw = await RawClient.connect(broker.port);
    const commit = (groupId: string) =>
      raw.request(ApiKey.OffsetCommit, 8, {
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{ topicName: 'open-a', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
    expect((await commit('g-look')).topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    expect((await commit('g-ok-admin')).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    raw.close();
    const refused = kafka.consumer({ groupId: 'g-look', retry: { retries: 0 } });
    clients.push(refused);
    const crashed = new Promise<unknown>((resolve) => refused.on(refused.events.CRASH, (event) => resolve(event.payload.error)));
    await refused.connect();
    await refused.subscribe({ topic: 'open-a', fromBeginning: true });
    await refused.run({ eachMessage: async () => undefined });
    expect(errorType(await crashed)).toBe('GROUP_AUTHORIZATION_FAILED');
    await refused.disconnect();
    // A group it may not even DESCRIBE: FindCoordinator answers GROUP_AUTHORIZATION_FAILED, which
    // kafkajs reports as a coordinator it could not find.
    expect(await failure(admin.fetchOffsets({ groupId: 'g-denied', topics: ['open-a'] }))).toMatch(/GroupCoordinatorNotFound/);

    // Deleting the DENY lets the write through; a new binding is kept too.
    const deleted = await admin.deleteAcls({ filters: [{ ...anyAclFilter, resourceType: AclResourceTypes.TOPIC, resourceName: 'open-locked', resourcePatternType: ResourcePatternTypes.LITERAL, permissionType: AclPermissionTypes.DENY }] });
    expect(deleted.filterResponses[0].matchingAcls).toHaveLength(1);
    await admin.createAcls({
      acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'closed', resourcePatternType: ResourcePatternTypes.LITERAL, principal: anonymous, host: '*', operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW }],
    });
    await producer.send({ topic: 'open-locked', messages: [{ value: 'now allowed' }] });

    // DESCRIBE without READ: the client sees "closed", joins, and its Fetch is refused.
    const reader = kafka.consumer({ groupId: 'g-ok-reader', retry: { retries: 0 } });
    clients.push(reader);
    const readerCrashed = new Promise<unknown>((resolve) => reader.on(reader.events.CRASH, (event) => resolve(event.payload.error)));
    await reader.connect();
    await reader.subscribe({ topic: 'closed', fromBeginning: true });
    await reader.run({ eachMessage: async () => undefined });
    expect(errorType(await readerCrashed)).toBe('TOPIC_AUTHORIZATION_FAILED');

    for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
    await broker.stop();
    ({ broker, kafka } = await start(diskArgs));
    const again = await connectedAdmin(kafka);
    const after = await again.describeAcls(anyAclFilter);
    const bindings = after.resources.flatMap((resource) => resource.acls.map((acl) => ({ name: resource.resourceName, ...acl })));
    expect(bindings).toHaveLength(seeded.length);
    expect(bindings.some((acl) => acl.permissionType === AclPermissionTypes.DENY)).toBe(false);
    expect(bindings).toContainEqual({ name: 'closed', principal: anonymous, host: '*', operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW });
    expect((await again.listTopics()).sort()).toEqual(['closed', 'open-a', 'open-locked']);
  });
});
