// Unmodified @platformatic/kafka 2.12.1 consumers in the consumer group protocol (KIP-848,
// `groupProtocol: 'consumer'`) against the BUILT `lanes start`, each member in its own process
// (fixtures/platformatic_848_member.mjs): three members share a topic, a fourth joins while the
// others keep consuming what they keep, one is killed with SIGKILL and its partitions move after
// the broker's session timeout (short here: --group-consumer-session-timeout-ms), resuming from
// its commits; the broker killed with SIGKILL while a member joins and restarted on its data
// directory loses no commit and gives no partition to two members. Scenarios and checks:
// fixtures/kip848_members.ts. Also the broker's --group-consumer-* flags: the interval members are
// told, and the refusal of a bad pair.
//
// Not here, because the client cannot: a static member's restart without reassignment (it leaves
// with member epoch −1, which releases a static member's partitions, instead of −2, which keeps
// them for its return), and a regex subscription (it always sends SubscribedTopicRegex null).
// kip848_confluent.test.ts covers both with librdkafka.
//
// Needs `npm run clients:install` (see support/platformatic.ts), but for the flag's refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailingBroker, startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs } from '../support/timeouts.js';
import { brokerCrashWhileJoining, joinThenCrash } from './fixtures/kip848_members.js';
import { platformatic, skipWithoutPlatformatic } from './support/platformatic.js';

skipWithoutPlatformatic('the @platformatic/kafka consumer group protocol (KIP-848) tests');

let broker: RunningBroker;

beforeAll(async () => {
  // Only the client's tests use this broker.
  if (platformatic === null) return;
  broker = await startBroker([
    '--storage', 'memory', '--shards', '2', '--dev', '--log-level', 'warn',
    '--group-consumer-session-timeout-ms', '6000', '--group-consumer-heartbeat-interval-ms', '500',
  ]);
}, timeoutMs(60_000));

afterAll(async () => {
  await broker?.stop();
});

describe.skipIf(platformatic === null)('@platformatic/kafka, consumer group protocol (KIP-848)', () => {
  it('shares partitions among three members, lets a fourth join without revoking what the others keep, and moves a killed member\'s partitions from its commits', async () => {
    await joinThenCrash('platformatic_848_member.mjs', `127.0.0.1:${broker.port}`, 'kip848-pf', 'kip848-pf-events');
  }, timeoutMs(240_000));

  it('loses no commit and gives no partition to two members when the broker is killed while a member joins', async () => {
    await brokerCrashWhileJoining('platformatic_848_member.mjs', 'kip848-pf-crash');
  }, timeoutMs(240_000));
});

describe('lanes start --group-consumer-heartbeat-interval-ms', () => {
  it.skipIf(platformatic === null)('is the interval the broker tells joining members', async () => {
    const { Connection, consumerGroupHeartbeatV1 } = platformatic!;
    const connection = new Connection('kip848-interval');
    await connection.connect('127.0.0.1', broker.port);
    try {
      const joined = await consumerGroupHeartbeatV1.api.async(connection, 'kip848-interval', 'interval-member', 0, null, null, 30_000, ['kip848-interval'], null, null, []);
      expect(joined).toMatchObject({ errorCode: 0, memberEpoch: 1, heartbeatIntervalMs: 500 });
      await consumerGroupHeartbeatV1.api.async(connection, 'kip848-interval', 'interval-member', -1, null, null, -1, null, null, null, null);
    } finally {
      await connection.close();
    }
  }, timeoutMs(60_000));

  it('refuses an interval not below the session timeout, naming the flag', async () => {
    const run = await runFailingBroker(['--storage', 'memory', '--group-consumer-session-timeout-ms', '3000', '--group-consumer-heartbeat-interval-ms', '3000']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('lanes: --group-consumer-heartbeat-interval-ms must be below --group-consumer-session-timeout-ms');
  }, timeoutMs(60_000));
});
