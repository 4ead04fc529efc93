// Every message table, by api key, and the body types each key decodes to. This is the one place
// that lists the APIs the codec serves; codec.ts derives the catalog (what ApiVersions
// advertises) from it.

import { ApiKey, type ApiKeyNumber } from '../api_keys.js';
import type { MessageSchema } from '../schema.js';
import { apiVersionsRequestSchema, apiVersionsResponseSchema, type ApiVersionsRequest, type ApiVersionsResponse } from './api_versions.js';
import { createPartitionsRequestSchema, createPartitionsResponseSchema, type CreatePartitionsRequest, type CreatePartitionsResponse } from './create_partitions.js';
import { createTopicsRequestSchema, createTopicsResponseSchema, type CreateTopicsRequest, type CreateTopicsResponse } from './create_topics.js';
import { deleteGroupsRequestSchema, deleteGroupsResponseSchema, type DeleteGroupsRequest, type DeleteGroupsResponse } from './delete_groups.js';
import { deleteTopicsRequestSchema, deleteTopicsResponseSchema, type DeleteTopicsRequest, type DeleteTopicsResponse } from './delete_topics.js';
import { describeConfigsRequestSchema, describeConfigsResponseSchema, type DescribeConfigsRequest, type DescribeConfigsResponse } from './describe_configs.js';
import { describeGroupsRequestSchema, describeGroupsResponseSchema, type DescribeGroupsRequest, type DescribeGroupsResponse } from './describe_groups.js';
import { fetchRequestSchema, fetchResponseSchema, type FetchRequest, type FetchResponse } from './fetch.js';
import { findCoordinatorRequestSchema, findCoordinatorResponseSchema, type FindCoordinatorRequest, type FindCoordinatorResponse } from './find_coordinator.js';
import { heartbeatRequestSchema, heartbeatResponseSchema, type HeartbeatRequest, type HeartbeatResponse } from './heartbeat.js';
import { initProducerIdRequestSchema, initProducerIdResponseSchema, type InitProducerIdRequest, type InitProducerIdResponse } from './init_producer_id.js';
import { joinGroupRequestSchema, joinGroupResponseSchema, type JoinGroupRequest, type JoinGroupResponse } from './join_group.js';
import { leaveGroupRequestSchema, leaveGroupResponseSchema, type LeaveGroupRequest, type LeaveGroupResponse } from './leave_group.js';
import { listGroupsRequestSchema, listGroupsResponseSchema, type ListGroupsRequest, type ListGroupsResponse } from './list_groups.js';
import { listOffsetsRequestSchema, listOffsetsResponseSchema, type ListOffsetsRequest, type ListOffsetsResponse } from './list_offsets.js';
import { metadataRequestSchema, metadataResponseSchema, type MetadataRequest, type MetadataResponse } from './metadata.js';
import { offsetCommitRequestSchema, offsetCommitResponseSchema, type OffsetCommitRequest, type OffsetCommitResponse } from './offset_commit.js';
import { offsetDeleteRequestSchema, offsetDeleteResponseSchema, type OffsetDeleteRequest, type OffsetDeleteResponse } from './offset_delete.js';
import { offsetFetchRequestSchema, offsetFetchResponseSchema, type OffsetFetchRequest, type OffsetFetchResponse } from './offset_fetch.js';
import { produceRequestSchema, produceResponseSchema, type ProduceRequest, type ProduceResponse } from './produce.js';
import { syncGroupRequestSchema, syncGroupResponseSchema, type SyncGroupRequest, type SyncGroupResponse } from './sync_group.js';

export interface MessagePair {
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

export const messageSchemas: Readonly<Record<ApiKeyNumber, MessagePair>> = {
  [ApiKey.Produce]: { request: produceRequestSchema, response: produceResponseSchema },
  [ApiKey.Fetch]: { request: fetchRequestSchema, response: fetchResponseSchema },
  [ApiKey.ListOffsets]: { request: listOffsetsRequestSchema, response: listOffsetsResponseSchema },
  [ApiKey.Metadata]: { request: metadataRequestSchema, response: metadataResponseSchema },
  [ApiKey.OffsetCommit]: { request: offsetCommitRequestSchema, response: offsetCommitResponseSchema },
  [ApiKey.OffsetFetch]: { request: offsetFetchRequestSchema, response: offsetFetchResponseSchema },
  [ApiKey.FindCoordinator]: { request: findCoordinatorRequestSchema, response: findCoordinatorResponseSchema },
  [ApiKey.JoinGroup]: { request: joinGroupRequestSchema, response: joinGroupResponseSchema },
  [ApiKey.Heartbeat]: { request: heartbeatRequestSchema, response: heartbeatResponseSchema },
  [ApiKey.LeaveGroup]: { request: leaveGroupRequestSchema, response: leaveGroupResponseSchema },
  [ApiKey.SyncGroup]: { request: syncGroupRequestSchema, response: syncGroupResponseSchema },
  [ApiKey.DescribeGroups]: { request: describeGroupsRequestSchema, response: describeGroupsResponseSchema },
  [ApiKey.ListGroups]: { request: listGroupsRequestSchema, response: listGroupsResponseSchema },
  [ApiKey.ApiVersions]: { request: apiVersionsRequestSchema, response: apiVersionsResponseSchema },
  [ApiKey.CreateTopics]: { request: createTopicsRequestSchema, response: createTopicsResponseSchema },
  [ApiKey.DeleteTopics]: { request: deleteTopicsRequestSchema, response: deleteTopicsResponseSchema },
  [ApiKey.InitProducerId]: { request: initProducerIdRequestSchema, response: initProducerIdResponseSchema },
  [ApiKey.DescribeConfigs]: { request: describeConfigsRequestSchema, response: describeConfigsResponseSchema },
  [ApiKey.CreatePartitions]: { request: createPartitionsRequestSchema, response: createPartitionsResponseSchema },
  [ApiKey.DeleteGroups]: { request: deleteGroupsRequestSchema, response: deleteGroupsResponseSchema },
  [ApiKey.OffsetDelete]: { request: offsetDeleteRequestSchema, response: offsetDeleteResponseSchema },
};

export interface RequestBodies {
  [ApiKey.Produce]: ProduceRequest;
  [ApiKey.Fetch]: FetchRequest;
  [ApiKey.ListOffsets]: ListOffsetsRequest;
  [ApiKey.Metadata]: MetadataRequest;
  [ApiKey.OffsetCommit]: OffsetCommitRequest;
  [ApiKey.OffsetFetch]: OffsetFetchRequest;
  [ApiKey.FindCoordinator]: FindCoordinatorRequest;
  [ApiKey.JoinGroup]: JoinGroupRequest;
  [ApiKey.Heartbeat]: HeartbeatRequest;
  [ApiKey.LeaveGroup]: LeaveGroupRequest;
  [ApiKey.SyncGroup]: SyncGroupRequest;
  [ApiKey.DescribeGroups]: DescribeGroupsRequest;
  [ApiKey.ListGroups]: ListGroupsRequest;
  [ApiKey.ApiVersions]: ApiVersionsRequest;
  [ApiKey.CreateTopics]: CreateTopicsRequest;
  [ApiKey.DeleteTopics]: DeleteTopicsRequest;
  [ApiKey.InitProducerId]: InitProducerIdRequest;
  [ApiKey.DescribeConfigs]: DescribeConfigsRequest;
  [ApiKey.CreatePartitions]: CreatePartitionsRequest;
  [ApiKey.DeleteGroups]: DeleteGroupsRequest;
  [ApiKey.OffsetDelete]: OffsetDeleteRequest;
}

export interface ResponseBodies {
  [ApiKey.Produce]: ProduceResponse;
  [ApiKey.Fetch]: FetchResponse;
  [ApiKey.ListOffsets]: ListOffsetsResponse;
  [ApiKey.Metadata]: MetadataResponse;
  [ApiKey.OffsetCommit]: OffsetCommitResponse;
  [ApiKey.OffsetFetch]: OffsetFetchResponse;
  [ApiKey.FindCoordinator]: FindCoordinatorResponse;
  [ApiKey.JoinGroup]: JoinGroupResponse;
  [ApiKey.Heartbeat]: HeartbeatResponse;
  [ApiKey.LeaveGroup]: LeaveGroupResponse;
  [ApiKey.SyncGroup]: SyncGroupResponse;
  [ApiKey.DescribeGroups]: DescribeGroupsResponse;
  [ApiKey.ListGroups]: ListGroupsResponse;
  [ApiKey.ApiVersions]: ApiVersionsResponse;
  [ApiKey.CreateTopics]: CreateTopicsResponse;
  [ApiKey.DeleteTopics]: DeleteTopicsResponse;
  [ApiKey.InitProducerId]: InitProducerIdResponse;
  [ApiKey.DescribeConfigs]: DescribeConfigsResponse;
  [ApiKey.CreatePartitions]: CreatePartitionsResponse;
  [ApiKey.DeleteGroups]: DeleteGroupsResponse;
  [ApiKey.OffsetDelete]: OffsetDeleteResponse;
}

/** Any request body, for callers that dispatch on a runtime api key. */
export type RequestBody = RequestBodies[ApiKeyNumber];
export type ResponseBody = ResponseBodies[ApiKeyNumber];
