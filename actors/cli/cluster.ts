// `lanes cluster describe`: the cluster id, controller and brokers (DescribeCluster where the
// broker serves it, Metadata otherwise; see Cluster.describeCluster).

import type { Command } from 'commander';
import type { Cluster } from '../net/cluster.js';
import { addConnectionOptions, formatTable, printJson, withCluster, writeOut, type ConnectionOptions } from './common.js';

interface DescribeOptions extends ConnectionOptions {
  json?: boolean;
}

async function describeCluster(cluster: Cluster, options: DescribeOptions): Promise<void> {
  const described = await cluster.describeCluster();
  const brokers = [...described.brokers].sort((a, b) => a.nodeId - b.nodeId);
  if (options.json === true) return printJson({ clusterId: described.clusterId, controller: described.controllerId >= 0 ? described.controllerId : null, brokers });
  const summary = formatTable(['CLUSTER-ID', described.clusterId ?? '-'], [['CONTROLLER', described.controllerId >= 0 ? described.controllerId : '-']]);
  const table = formatTable(['BROKER', 'HOST', 'PORT', 'RACK'], brokers.map((b) => [b.nodeId, b.host, b.port, b.rack ?? '-']));
  await writeOut(`${summary}\n\n${table}\n`);
}

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('describe the cluster');
  addConnectionOptions(cluster.command('describe').description('show the cluster id, the controller and the brokers').option('--json', 'print JSON')).action(
    (options: DescribeOptions) => withCluster(options, (connected) => describeCluster(connected, options)),
  );
}
