// api key → handler. ApiVersions answers from this table, so what is advertised is exactly what
// is served. Every handler's range must lie inside the codec's range for its api;
// this is checked when the module loads, so a handler claiming a version the codec cannot encode
// fails at startup rather than on a client's request.
//
// InitProducerId (22) serves idempotent producers only; the transaction APIs (24–28) are not
// served, so a client never starts a transaction against Lanes.
import { assert } from '../assert.js';
import { apiCatalog } from '../protocol/codec.js';
import { apiVersionsHandler, type AdvertisedApi } from './api_versions.js';
import { createPartitions } from './create_partitions.js';
import { createTopics } from './create_topics.js';
import { deleteGroups } from './delete_groups.js';
import { deleteTopics } from './delete_topics.js';
import { describeConfigs } from './describe_configs.js';
import { describeGroups } from './describe_groups.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find_coordinator.js';
import type { AnyHandler } from './handler.js';
import { heartbeat } from './heartbeat.js';
import { initProducerId } from './init_producer_id.js';
import { joinGroup } from './join_group.js';
import { leaveGroup } from './leave_group.js';
import { listGroups } from './list_groups.js';
import { listOffsets } from './list_offsets.js';
import { metadata } from './metadata.js';
import { offsetCommit } from './offset_commit.js';
import { offsetDelete } from './offset_delete.js';
import { offsetFetch } from './offset_fetch.js';
import { produce } from './produce.js';
import { syncGroup } from './sync_group.js';

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
  describeConfigs,
  createPartitions,
  deleteGroups,
  offsetDelete,
];

export const handlerTable: ReadonlyMap<number, AnyHandler> = new Map(handlers.map((handler) => [handler.apiKey, handler]));
assert(handlerTable.size === handlers.length, 'one handler per api key');

for (const handler of handlers) {
  const codec = apiCatalog.find((entry) => entry.apiKey === handler.apiKey);
  assert(codec !== undefined, `${handler.name}: the codec has a table for api key ${handler.apiKey}`);
  assert(handler.versionMin >= codec.versionMin, `${handler.name}: v${handler.versionMin} is within the codec's range`);
  assert(handler.versionMax <= codec.versionMax, `${handler.name}: v${handler.versionMax} is within the codec's range`);
  assert(handler.versionMin <= handler.versionMax, `${handler.name}: a non-empty version range`);
}

/** What ApiVersions advertises, by ascending api key. */
export const advertisedApis: readonly AdvertisedApi[] = handlers
  .map(({ apiKey, versionMin, versionMax }) => ({ apiKey, versionMin, versionMax }))
  .sort((left, right) => left.apiKey - right.apiKey);

/** The handler serving (apiKey, apiVersion), or undefined: answer UNSUPPORTED_VERSION. */
export function handlerFor(apiKey: number, apiVersion: number): AnyHandler | undefined {
  const handler = handlerTable.get(apiKey);
  if (handler === undefined || apiVersion < handler.versionMin || apiVersion > handler.versionMax) return undefined;
  return handler;
}
