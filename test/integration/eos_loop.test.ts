// The textbook exactly-once loop against the BUILT `lanes start`: three members of a group, each an
// unmodified kafkajs process (fixtures/eos_member.mjs), read `orders` and for each order write an
// invoice to `invoices` and commit the order's offset in one transaction. One member is killed
// with SIGKILL in the middle of a transaction (its invoice written, its offset staged, no commit);
// the survivors take over its partitions after its session times out, and the coordinator aborts
// its transaction when that times out. A read_committed reader of `invoices` then sees every order
// exactly once, and not the dead member's invoice, which a read_uncommitted reader does see.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs, waitUntil } from '../support/timeouts.js';

const memberScript = fileURLToPath(new URL('./fixtures/eos_member.mjs', import.meta.url));
const groupId = 'eos-billing';
const orderPartitions = 6;
const ordersPerPartition = 20;
const invoicePartitions = 3;
/** The members' session timeout: how long the group waits before handing the dead member's partitions on. */
const sessionTimeoutMs = 6_000;
/** The members' transaction timeout: when the coordinator aborts the dead member's open transaction. */
const transactionTimeoutMs = timeoutMs(5_000);

interface MemberEvent {
  event: 'assigned' | 'committed' | 'stalled';
  member: string;
  partitions?: number[];
  generationId?: number | null;
  order?: string;
}

/** An eos_member.mjs process and everything it reported. */
class Member {
  readonly events: MemberEvent[] = [];
  readonly process: ChildProcess;
  stderr = '';
  readonly exited: Promise<unknown>;

  constructor(readonly name: string, port: number, stallAt = -1) {
    const args = [memberScript, `127.0.0.1:${port}`, groupId, name, String(stallAt), String(sessionTimeoutMs), String(transactionTimeoutMs)];
    this.process = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    this.process.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
        this.events.push(JSON.parse(pending.slice(0, newline)) as MemberEvent);
        pending = pending.slice(newline + 1);
      }
    });
    this.process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on('exit', resolve));
  }

  lastAssignment(): MemberEvent | undefined {
    return this.events.filter((each) => each.event === 'assigned').at(-1);
  }

  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

let broker: RunningBroker | null = null;
const members: Member[] = [];
const clients: { disconnect(): Promise<void> }[] = [];

afterAll(async () => {
  for (const member of members) await member.kill();
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await broker?.stop();
});

/** Every value of `invoices` a reader reads up to the end marker the test wrote on each partition. */
async function readInvoices(kafka: Kafka, readerGroup: string, readUncommitted: boolean): Promise<string[]> {
  const seen: string[] = [];
  const consumer = kafka.consumer({ groupId: readerGroup, readUncommitted, maxWaitTimeInMs: 100 });
  clients.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: 'invoices', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  const ends = () => seen.filter((value) => value.startsWith('end|')).length;
  await waitUntil(`${readerGroup} to read to the end of every invoices partition`, () => ends() === invoicePartitions, 60_000, { detail: () => seen.length });
  await consumer.disconnect();
  return seen.filter((value) => !value.startsWith('end|'));
}

async function committedOffsets(admin: Admin): Promise<number[]> {
  const [orders] = await admin.fetchOffsets({ groupId, topics: ['orders'] });
  return [...orders.partitions].sort((a, b) => a.partition - b.partition).map((each) => Number(each.offset));
}

it('invoices every order exactly once though a member is killed mid-transaction', async () => {
  broker = await startBroker(['--storage', 'memory', '--shards', '2', '--dev', '--log-level', 'warn']);
  const kafka = new Kafka({ clientId: 'eos-loop', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
  const admin = kafka.admin();
  clients.push(admin);
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: orderPartitions }, { topic: 'invoices', numPartitions: invoicePartitions }], waitForLeaders: true });

  // The victim dies in its sixth transaction, after five committed ones.
  const victim = new Member('victim', broker.port, 5);
  members.push(victim, new Member('a', broker.port), new Member('b', broker.port));
  await waitUntil('three members sharing the orders partitions', () => {
    const assignments = members.map((member) => member.lastAssignment());
    const generations = new Set(assignments.map((each) => each?.generationId));
    const owned = assignments.flatMap((each) => each?.partitions ?? []).sort((x, y) => x - y);
    return generations.size === 1 && assignments.every((each) => (each?.partitions ?? []).length > 0) && owned.join() === Array.from({ length: orderPartitions }, (_, p) => p).join();
  }, 60_000, { detail: () => members.map((member) => [member.name, member.lastAssignment()]) });

  const producer = kafka.producer();
  clients.push(producer);
  await producer.connect();
  const orders: string[] = [];
  for (let partition = 0; partition < orderPartitions; partition++) {
    for (let n = 0; n < ordersPerPartition; n++) orders.push(`o-${partition}-${n}`);
  }
  await producer.send({ topic: 'orders', messages: orders.map((value) => ({ partition: Number(value.split('-')[1]), value })) });

  await waitUntil('the victim to stall mid-transaction', () => victim.events.some((each) => each.event === 'stalled'), 60_000, { detail: () => victim.events });
  const stalled = victim.events.find((each) => each.event === 'stalled')!.order!;
  await victim.kill();

  // The survivors finish the dead member's partitions from its last committed offsets.
  await waitUntil('the group to commit every order', async () => (await committedOffsets(admin)).every((offset) => offset === ordersPerPartition), 60_000, {
    detail: async () => ({ committed: await committedOffsets(admin), stderr: members.map((member) => member.stderr) }),
  });
  // Everything after these in a partition's log was written after the loop finished.
  await producer.send({ topic: 'invoices', messages: Array.from({ length: invoicePartitions }, (_, partition) => ({ partition, value: `end|${partition}` })) });

  const committed = await readInvoices(kafka, 'eos-audit-committed', false);
  expect(committed.map((invoice) => invoice.split('|')[0]).sort()).toEqual([...orders].sort());
  expect(committed).not.toContain(`${stalled}|victim`);
  // The victim did write its invoice before it died: only its transaction's abort keeps it out.
  const everything = await readInvoices(kafka, 'eos-audit-uncommitted', true);
  expect(everything).toContain(`${stalled}|victim`);
  expect(committed.filter((invoice) => invoice.endsWith('|victim'))).toHaveLength(5);
}, timeoutMs(180_000));
