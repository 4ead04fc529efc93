// Where things live in a disk broker's data directory: one place for every name, read by the
// host (lock, catalogue, start-up checks) and by the shards (the logs they open).
//
//   <dataDir>/topics.json                      the topic catalogue (host/topic_registry.ts)
//   <dataDir>/<topic>-<partition>/             one partition's segments, in Kafka's layout
//   <dataDir>/.lanes/lock                      the running broker's pid and host (host/data_dir_lock.ts)
//   <dataDir>/.lanes/acls.json                 the ACL bindings, with an authorizer (host/host_acls.ts)
//   <dataDir>/.lanes/consumer_offsets-<shard>/ each shard's internal log of group records
//   <dataDir>/.lanes/transaction_state-<shard>/ each shard's transaction state log
//   <dataDir>/.lanes/scram_credentials.json    SASL/SCRAM users: salts and derived keys (security/credential_store.ts)
//
// Every partition directory ends in "-<digits>", so the internal subtree ".lanes" can never be
// one, whatever topic a client creates: no topic name reaches the internal logs. Earlier
// versions kept the offsets logs beside the partitions as "__consumer_offsets-<shard>", where a
// user topic of that name shared their directories; data_dir.ts moves them on start.
import { join } from 'node:path';

export const topicsFileName = 'topics.json';
export const internalDirName = '.lanes';
export const lockFileName = join(internalDirName, 'lock');
export const scramCredentialsFileName = join(internalDirName, 'scram_credentials.json');
/** The ACL bindings of a broker with an authorizer (actors/host/host_acls.ts). */
export const aclsFileName = join(internalDirName, 'acls.json');

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The topic and partition a directory name stands for, or null for a name no partition has. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const match = /^(.+)-(0|[1-9][0-9]{0,8})$/.exec(name);
  return match === null ? null : { topic: match[1], partition: Number(match[2]) };
}

export function offsetsLogDirName(shardId: number): string {
  return join(internalDirName, `consumer_offsets-${shardId}`);
}

export function txnStateLogDirName(shardId: number): string {
  return join(internalDirName, `transaction_state-${shardId}`);
}

/** The offsets log of `shardId` as the previous layout named it, directly in the data dir. */
export function legacyOffsetsLogDirName(shardId: number): string {
  return `__consumer_offsets-${shardId}`;
}

export const legacyOffsetsLogPattern = /^__consumer_offsets-(0|[1-9][0-9]{0,8})$/;
