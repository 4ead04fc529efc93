// `lanes topic delete-records <topic> --offset <n|end>`: DeleteRecords, one request per leader.
// Each chosen partition's log start offset moves to the offset ("end": the high watermark), so
// consumers can no longer fetch below it and whole segments below it are freed.

import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCode, errorCodeName } from '../../core/errors.js';
import { deleteRecordsToHighWatermark } from '../../core/protocol/messages/delete_records.js';
import type { Cluster } from '../net/cluster.js';
import { CliError } from './cli_error.js';
import { addConnectionOptions, collectPartitions, formatTable, printJson, withCluster, writeOut, type ConnectionOptions } from './common.js';

interface DeleteRecordsOptions extends ConnectionOptions {
  offset: number;
  partition?: number[];
  json?: boolean;
}

/** An offset ≥ 0, or "end" for the high watermark. */
function deletionOffset(value: string): number {
  if (value === 'end') return deleteRecordsToHighWatermark;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new InvalidArgumentError('expected an offset ≥ 0, or "end" for the high watermark');
  return parsed;
}

async function deleteRecords(cluster: Cluster, name: string, options: DeleteRecordsOptions): Promise<void> {
  const layout = await cluster.topic(name);
  const partitions = options.partition ?? layout.partitions.map((p) => p.partitionIndex);
  for (const partition of partitions) {
    if (!layout.leaders.has(partition)) throw new CliError(`topic '${name}' has no partition ${partition}`);
  }
  const answers = await cluster.deleteRecords(name, layout.leaders, partitions.map((partition) => ({ partition, offset: options.offset })), options.timeout);
  const refused = answers.filter((answer) => answer.errorCode !== ErrorCode.NONE);
  if (refused.length > 0) {
    const what = refused.map((answer) => `partition ${answer.partition}: ${errorCodeName(answer.errorCode)}`).join(', ');
    const hint = refused.some((answer) => answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) ? ' (the offset is past the partition\'s end; "end" deletes everything)' : '';
    throw new CliError(`delete records of topic '${name}' failed: ${what}${hint}`);
  }
  if (options.json === true) return printJson(answers.map(({ partition, lowWatermark }) => ({ partition, logStartOffset: lowWatermark })));
  await writeOut(`${formatTable(['PARTITION', 'LOG-START-OFFSET'], answers.map((answer) => [answer.partition, answer.lowWatermark]))}\n`);
}

export function registerDeleteRecordsCommand(topic: Command): void {
  addConnectionOptions(
    topic
      .command('delete-records')
      .description('delete the records below an offset: the log start offset moves there')
      .argument('<name>', 'topic name')
      .addOption(new Option('-o, --offset <n|end>', 'the new log start offset, or "end" (the high watermark)').argParser(deletionOffset).makeOptionMandatory())
      .addOption(new Option('-p, --partition <n>', 'partition, repeatable or comma separated (default: every partition)').argParser(collectPartitions))
      .option('--json', 'print JSON'),
  ).action((name: string, options: DeleteRecordsOptions) => withCluster(options, (cluster) => deleteRecords(cluster, name, options)));
}
