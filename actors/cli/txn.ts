// `lanes txn list`: every transactional id the brokers coordinate, with its state, producer id
// and epoch, how long its transaction has been open, and the partitions it spans — over
// ListTransactions (each broker lists the ids it coordinates) and DescribeTransactions (asked of
// each id's coordinator), as kafka-transactions.sh list / describe show them.
import { Command, Option } from 'commander';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { describeErrorCode } from '../net/kafka_client.js';
import type { Cluster } from '../net/cluster.js';
import { CliError } from './cli_error.js';
import { addConnectionOptions, collect, formatTable, printJson, withCluster, writeOut, type ConnectionOptions } from './common.js';

interface ListOptions extends ConnectionOptions {
  state?: string[];
  json?: boolean;
}

interface TxnRow {
  transactionalId: string;
  state: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  /** Milliseconds since the open transaction started, or null when none is open. */
  ageMs: number | null;
  partitions: { topic: string; partitions: number[] }[];
  coordinator: number;
}

async function listTransactions(cluster: Cluster, options: ListOptions): Promise<void> {
  const metadata = await cluster.metadata([]);
  const listed: { transactionalId: string; coordinator: number }[] = [];
  await Promise.all(
    metadata.brokers.map(async (broker) => {
      const connection = await cluster.connection(broker.nodeId);
      const response = await connection.send(ApiKey.ListTransactions, { stateFilters: options.state ?? [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null });
      if (response.errorCode !== ErrorCode.NONE) throw new CliError(`list transactions on broker ${broker.nodeId}: ${describeErrorCode(response.errorCode)}`);
      if (response.unknownStateFilters.length > 0) throw new CliError(`unknown transaction states: ${response.unknownStateFilters.join(', ')}`);
      for (const txn of response.transactionStates) listed.push({ transactionalId: txn.transactionalId, coordinator: broker.nodeId });
    }),
  );
  const nowMs = Date.now();
  const rows: TxnRow[] = [];
  await Promise.all(
    listed.map(async ({ transactionalId, coordinator }) => {
      const connection = await cluster.connection(coordinator);
      const response = await connection.send(ApiKey.DescribeTransactions, { transactionalIds: [transactionalId] });
      const state = response.transactionStates[0];
      // Gone between the list and the describe (expired): not shown.
      if (state === undefined || state.errorCode !== ErrorCode.NONE) return;
      rows.push({
        transactionalId,
        state: state.transactionState,
        producerId: state.producerId,
        producerEpoch: state.producerEpoch,
        timeoutMs: state.transactionTimeoutMs,
        ageMs: state.transactionStartTimeMs < 0 ? null : Math.max(0, nowMs - state.transactionStartTimeMs),
        partitions: state.topics.map((topic) => ({ topic: topic.topicName, partitions: topic.partitionIndexes })),
        coordinator,
      });
    }),
  );
  rows.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  if (options.json === true) return printJson(rows);
  const partitionsOf = (row: TxnRow) => row.partitions.map(({ topic, partitions }) => `${topic}[${partitions.join(',')}]`).join(' ') || '-';
  await writeOut(
    `${formatTable(
      ['TRANSACTIONAL-ID', 'STATE', 'PRODUCER-ID', 'EPOCH', 'AGE-S', 'TIMEOUT-S', 'PARTITIONS'],
      rows.map((row) => [row.transactionalId, row.state, row.producerId, row.producerEpoch, row.ageMs === null ? '-' : (row.ageMs / 1000).toFixed(1), row.timeoutMs / 1000, partitionsOf(row)]),
    )}\n`,
  );
}

export function registerTxnCommands(program: Command): void {
  const txn = program.command('txn').description('list transactions');
  addConnectionOptions(
    txn
      .command('list')
      .alias('ls')
      .description('list transactional ids: state, producer, how long the open transaction has run, its partitions')
      .addOption(new Option('-s, --state <state>', 'only transactions in this state (repeatable: Ongoing, PrepareCommit, CompleteAbort, …)').argParser(collect))
      .option('--json', 'print JSON'),
  ).action((options: ListOptions) => withCluster(options, (cluster) => listTransactions(cluster, options)));
}
