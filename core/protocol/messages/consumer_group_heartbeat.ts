// ConsumerGroupHeartbeat (api key 68, KIP-848): the consumer group protocol's one request — join
// (epoch 0), heartbeat, report revocations, change the subscription, leave (−1, or −2 for a
// static member that will rejoin). Flexible from v0. v1 adds SubscribedTopicRegex, and from v1
// the member makes its own member id (KIP-1082). Topics travel by id.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

const topicPartitions = [
  { name: 'topicId', type: 'uuid', versions: '0+' },
  { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
] as const;

export const consumerGroupHeartbeatApi = defineApi({
  key: 68,
  name: 'ConsumerGroupHeartbeat',
  versions: '0-1',
  flexibleVersions: '0+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
    { name: 'subscribedTopicNames', type: { array: 'string' }, versions: '0+', nullableVersions: '0+', default: null },
    { name: 'subscribedTopicRegex', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
    { name: 'serverAssignor', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'topicPartitions', type: { array: topicPartitions }, versions: '0+', nullableVersions: '0+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'heartbeatIntervalMs', type: 'int32', versions: '0+' },
    {
      name: 'assignment',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
      type: { struct: [{ name: 'topicPartitions', type: { array: topicPartitions }, versions: '0+' }] },
    },
  ],
});

export type ConsumerGroupHeartbeatRequest = RequestOf<typeof consumerGroupHeartbeatApi>;
export type ConsumerGroupHeartbeatResponse = ResponseOf<typeof consumerGroupHeartbeatApi>;
