// api key → handler: each API's definition (core/protocol/messages/<api>.ts, listed in
// messages/registry.ts) paired with the handler that serves it. A handler serves exactly its
// definition's versions, which are also what the codec compiles and what ApiVersions advertises
// (answered from this table); when this module loads it checks that every definition has a
// handler, so a defined API without one fails at startup rather than on a client's request.
//
import { assert } from '../assert.js';
import { servesVersion } from '../protocol/api_definition.js';
import { apiDefinitions } from '../protocol/messages/registry.js';
import { alterConfigs } from './alter_configs.js';
import { addOffsetsToTxn } from './add_offsets_to_txn.js';
import { addPartitionsToTxn } from './add_partitions_to_txn.js';
import { apiVersionsHandler, type AdvertisedApi } from './api_versions.js';
import { consumerGroupDescribe } from './consumer_group_describe.js';
import { consumerGroupHeartbeat } from './consumer_group_heartbeat.js';
import { createPartitions } from './create_partitions.js';
import { createTopics } from './create_topics.js';
import { deleteGroups } from './delete_groups.js';
import { deleteTopics } from './delete_topics.js';
import { describeConfigs } from './describe_configs.js';
import { describeGroups } from './describe_groups.js';
import { describeTransactions } from './describe_transactions.js';
import { endTxn } from './end_txn.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find_coordinator.js';
import type { AnyHandler } from './handler.js';
import { heartbeat } from './heartbeat.js';
import { incrementalAlterConfigs } from './incremental_alter_configs.js';
import { initProducerId } from './init_producer_id.js';
import { joinGroup } from './join_group.js';
import { leaveGroup } from './leave_group.js';
import { listGroups } from './list_groups.js';
import { listOffsets } from './list_offsets.js';
import { listTransactions } from './list_transactions.js';
import { metadata } from './metadata.js';
import { offsetCommit } from './offset_commit.js';
import { offsetDelete } from './offset_delete.js';
import { offsetFetch } from './offset_fetch.js';
import { produce } from './produce.js';
import { syncGroup } from './sync_group.js';
import { describeProducers } from './describe_producers.js';
import { describeCluster } from './describe_cluster.js';
import { describeLogDirs } from './describe_log_dirs.js';
import { offsetForLeaderEpoch } from './offset_for_leader_epoch.js';
import { deleteRecords } from './delete_records.js';
import { txnOffsetCommit } from './txn_offset_commit.js';
import { writeTxnMarkers } from './write_txn_markers.js';
import { saslHandshake } from './sasl_handshake.js';
import { saslAuthenticate } from './sasl_authenticate.js';
import { describeUserScramCredentials } from './describe_user_scram_credentials.js';
import { alterUserScramCredentials } from './alter_user_scram_credentials.js';
import { describeAcls } from './describe_acls.js';
import { createAcls } from './create_acls.js';
import { deleteAcls } from './delete_acls.js';

const handlers: AnyHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersionsHandler(() => advertisedApis),
  createTopics,
  deleteTopics,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  writeTxnMarkers,
  txnOffsetCommit,
  describeAcls,
  createAcls,
  deleteAcls,
  describeConfigs,
  alterConfigs,
  createPartitions,
  deleteGroups,
  incrementalAlterConfigs,
  offsetDelete,
  deleteRecords,
  offsetForLeaderEpoch,
  describeLogDirs,
  describeCluster,
  describeProducers,
  describeTransactions,
  listTransactions,
  consumerGroupHeartbeat,
  consumerGroupDescribe,
  saslHandshake,
  saslAuthenticate,
  describeUserScramCredentials,
  alterUserScramCredentials,
];

export const handlerTable: ReadonlyMap<number, AnyHandler> = new Map(handlers.map((handler) => [handler.api.key, handler]));
assert(handlerTable.size === handlers.length, 'one handler per api key');
// Served = defined: every definition the codec compiles has a handler and every handler serves a
// listed definition, so the codec, ApiVersions and dispatch cannot disagree on a version.
for (const api of apiDefinitions) {
  assert(handlerTable.get(api.key)?.api === api, `${api.name} (api key ${api.key}) has a handler serving its definition`);
}

/** What ApiVersions advertises, by ascending api key: every handler's definition's versions. */
export const advertisedApis: readonly AdvertisedApi[] = handlers
  .map(({ api }) => ({ apiKey: api.key, versionMin: api.versionMin, versionMax: api.versionMax }))
  .sort((left, right) => left.apiKey - right.apiKey);

/** The handler serving (apiKey, apiVersion), or undefined: answer UNSUPPORTED_VERSION. */
export function handlerFor(apiKey: number, apiVersion: number): AnyHandler | undefined {
  const handler = handlerTable.get(apiKey);
  if (handler === undefined || !servesVersion(handler.api, apiVersion)) return undefined;
  return handler;
}
