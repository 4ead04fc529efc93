// Every API Lanes serves, one definition each (messages/<api>.ts), in ascending api key order.
// This list is the one place that names them: the codec compiles it (codec.ts), the api keys
// (api_keys.ts) and the body types below are derived from it, and the broker's handler table
// (core/handlers/handler_table.ts) must pair every entry with a handler.

import { assert } from '../../assert.js';
import type { ApiDefinition, RequestOf, ResponseOf } from '../api_definition.js';
import { alterConfigsApi } from './alter_configs.js';
import { addOffsetsToTxnApi } from './add_offsets_to_txn.js';
import { addPartitionsToTxnApi } from './add_partitions_to_txn.js';
import { apiVersionsApi } from './api_versions.js';
import { createPartitionsApi } from './create_partitions.js';
import { consumerGroupDescribeApi } from './consumer_group_describe.js';
import { consumerGroupHeartbeatApi } from './consumer_group_heartbeat.js';
import { createTopicsApi } from './create_topics.js';
import { deleteGroupsApi } from './delete_groups.js';
import { deleteTopicsApi } from './delete_topics.js';
import { describeConfigsApi } from './describe_configs.js';
import { describeGroupsApi } from './describe_groups.js';
import { describeTransactionsApi } from './describe_transactions.js';
import { endTxnApi } from './end_txn.js';
import { fetchApi } from './fetch.js';
import { findCoordinatorApi } from './find_coordinator.js';
import { heartbeatApi } from './heartbeat.js';
import { incrementalAlterConfigsApi } from './incremental_alter_configs.js';
import { initProducerIdApi } from './init_producer_id.js';
import { joinGroupApi } from './join_group.js';
import { leaveGroupApi } from './leave_group.js';
import { listGroupsApi } from './list_groups.js';
import { listOffsetsApi } from './list_offsets.js';
import { listTransactionsApi } from './list_transactions.js';
import { metadataApi } from './metadata.js';
import { offsetCommitApi } from './offset_commit.js';
import { offsetDeleteApi } from './offset_delete.js';
import { offsetFetchApi } from './offset_fetch.js';
import { produceApi } from './produce.js';
import { syncGroupApi } from './sync_group.js';
import { describeProducersApi } from './describe_producers.js';
import { describeClusterApi } from './describe_cluster.js';
import { describeLogDirsApi } from './describe_log_dirs.js';
import { offsetForLeaderEpochApi } from './offset_for_leader_epoch.js';
import { deleteRecordsApi } from './delete_records.js';
import { txnOffsetCommitApi } from './txn_offset_commit.js';
import { writeTxnMarkersApi } from './write_txn_markers.js';
import { saslHandshakeApi } from './sasl_handshake.js';
import { saslAuthenticateApi } from './sasl_authenticate.js';
import { describeUserScramCredentialsApi } from './describe_user_scram_credentials.js';
import { alterUserScramCredentialsApi } from './alter_user_scram_credentials.js';
import { describeAclsApi } from './describe_acls.js';
import { createAclsApi } from './create_acls.js';
import { deleteAclsApi } from './delete_acls.js';

export const apiDefinitions = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  saslHandshakeApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerIdApi,
  offsetForLeaderEpochApi,
  addPartitionsToTxnApi,
  addOffsetsToTxnApi,
  endTxnApi,
  writeTxnMarkersApi,
  txnOffsetCommitApi,
  describeAclsApi,
  createAclsApi,
  deleteAclsApi,
  describeConfigsApi,
  alterConfigsApi,
  describeLogDirsApi,
  saslAuthenticateApi,
  createPartitionsApi,
  deleteGroupsApi,
  incrementalAlterConfigsApi,
  offsetDeleteApi,
  describeUserScramCredentialsApi,
  alterUserScramCredentialsApi,
  describeClusterApi,
  describeProducersApi,
  describeTransactionsApi,
  listTransactionsApi,
  consumerGroupHeartbeatApi,
  consumerGroupDescribeApi,
] as const;

/** Any one of the definitions above; the key ties its request and response types together. */
export type DefinedApi = (typeof apiDefinitions)[number];
export type ApiName = DefinedApi['name'];
export type ApiKeyNumber = DefinedApi['key'];
/** The definition of the API with this key. */
export type ApiOf<Key extends ApiKeyNumber> = Extract<DefinedApi, { readonly key: Key }>;

export type RequestBodies = { [Api in DefinedApi as Api['key']]: RequestOf<Api> };
export type ResponseBodies = { [Api in DefinedApi as Api['key']]: ResponseOf<Api> };
/** Any request body, for callers that dispatch on a runtime api key. */
export type RequestBody = RequestBodies[ApiKeyNumber];
export type ResponseBody = ResponseBodies[ApiKeyNumber];

/** The definitions by api key, for lookups by a key read off the wire. */
export const apiByKey: ReadonlyMap<number, ApiDefinition> = new Map(apiDefinitions.map((api) => [api.key, api]));
assert(apiByKey.size === apiDefinitions.length, 'one definition per api key');
assert(
  apiDefinitions.every((api, index) => index === 0 || apiDefinitions[index - 1].key < api.key),
  'definitions are listed by ascending api key',
);
