// @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) consumers in the consumer group
// protocol (KIP-848, `group.protocol: 'consumer'`) against the BUILT `lanes start`, each member in
// its own process (fixtures/confluent_848_member.mjs): three members share a topic, a fourth joins
// while the others keep consuming what they keep, one is killed with SIGKILL and its partitions
// move after the broker's session timeout, resuming from its commits; a static member (group
// instance id) restarts and gets its partitions back without a rebalance; a regex subscription
// (`^topic.*`) picks up a topic created after it joined; the broker killed with SIGKILL while a
// member joins (reconciliation under way) and restarted on its data directory loses no commit and
// gives no partition to two members. Scenarios and checks:
// fixtures/kip848_members.ts. Needs `npm run clients:install` (see support/confluent.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs, waitUntil } from '../support/timeouts.js';
import { allRead, brokerCrashWhileJoining, ConsumerProcess, describeMembers, expectDelivery, joinThenCrash, Stage, staticRestart } from './fixtures/kip848_members.js';
import { confluent, skipWithoutConfluent } from './support/confluent.js';

skipWithoutConfluent('the @confluentinc/kafka-javascript consumer group protocol tests');

const script = 'confluent_848_member.mjs';
/** A short session (the crash test waits it out) ... */
let shortSession: RunningBroker;
/** ... and Kafka's 45 s, so a static member's restart on a busy machine comes back well within it. */
let kafkaSession: RunningBroker;

beforeAll(async () => {
  if (confluent === null) return;
  const common = ['--storage', 'memory', '--shards', '2', '--dev', '--log-level', 'warn'];
  [shortSession, kafkaSession] = await Promise.all([
    startBroker([...common, '--group-consumer-session-timeout-ms', '6000', '--group-consumer-heartbeat-interval-ms', '500']),
    startBroker([...common, '--group-consumer-heartbeat-interval-ms', '500']),
  ]);
}, timeoutMs(60_000));

afterAll(async () => {
  await Promise.all([shortSession?.stop(), kafkaSession?.stop()]);
});

describe.skipIf(confluent === null)('@confluentinc/kafka-javascript (librdkafka 2.15.1), consumer group protocol (KIP-848)', () => {
  it('shares partitions among three members, lets a fourth join without revoking what the others keep, and moves a killed member\'s partitions from its commits', async () => {
    await joinThenCrash(script, `127.0.0.1:${shortSession.port}`, 'kip848-ckjs', 'kip848-ckjs-events');
  }, timeoutMs(240_000));

  it('gives a restarted static member its partitions back without a rebalance', async () => {
    await staticRestart(script, `127.0.0.1:${kafkaSession.port}`, 'kip848-ckjs-static', 'kip848-ckjs-static');
  }, timeoutMs(180_000));

  it('picks up a topic created after a regex subscription joined', async () => {
    const brokers = `127.0.0.1:${kafkaSession.port}`;
    const stage = new Stage(brokers);
    const member = new ConsumerProcess(script, 'regex', brokers, 'kip848-ckjs-regex', '^kip848-rx-.*');
    try {
      await stage.createTopic('kip848-rx-first', 2);
      await stage.createTopic('kip848-other', 1);
      await stage.produce('kip848-rx-first', 5);
      await stage.produce('kip848-other', 5);
      await waitUntil('the matching topic read', () => allRead(stage, [member], 'kip848-rx-first'), 60_000, { pollMs: 100, detail: () => describeMembers([member]) });
      expect(member.assigned()).toEqual(['kip848-rx-first/0', 'kip848-rx-first/1']);

      await stage.createTopic('kip848-rx-later', 3);
      await stage.produce('kip848-rx-later', 5);
      await waitUntil('the new matching topic assigned and read', () => allRead(stage, [member], 'kip848-rx-later'), 60_000, { pollMs: 100, detail: () => describeMembers([member]) });
      expect(member.assigned()).toEqual(['kip848-rx-first/0', 'kip848-rx-first/1', 'kip848-rx-later/0', 'kip848-rx-later/1', 'kip848-rx-later/2']);
      // The topic the pattern does not match was never read.
      expect(member.events.filter((e) => e.event === 'read' && e.topic === 'kip848-other')).toEqual([]);
      stage.produced.delete('kip848-other/0');
      expectDelivery(stage, [member]);
    } finally {
      await member.stop();
      await stage.close();
    }
  }, timeoutMs(180_000));

  it('loses no commit and gives no partition to two members when the broker is killed while a member joins', async () => {
    await brokerCrashWhileJoining(script, 'kip848-ckjs-crash');
  }, timeoutMs(240_000));
});
