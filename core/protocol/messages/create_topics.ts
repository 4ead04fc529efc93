// CreateTopics (api key 19). v1 adds validateOnly and per-topic error messages; v4 lets
// numPartitions and replicationFactor be -1 (broker defaults) without manual assignments; v5 is
// the first flexible version and answers each created topic's partition count, replication
// factor and configs (KIP-525); v6 may answer THROTTLING_QUOTA_EXCEEDED (never here: no quotas);
// v7 answers the new topic's id (KIP-516). Served from v2, as Kafka 4.x does (KIP-896 dropped
// v0 and v1).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const createTopicsApi = defineApi({
  key: 19,
  name: 'CreateTopics',
  versions: '2-7',
  flexibleVersions: '5+',
  request: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'numPartitions', type: 'int32', versions: '0+' },
          { name: 'replicationFactor', type: 'int16', versions: '0+' },
          {
            name: 'assignments',
            versions: '0+',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'brokerIds', type: { array: 'int32' }, versions: '0+' },
              ],
            },
          },
          {
            name: 'configs',
            versions: '0+',
            type: {
              array: [
                { name: 'name', type: 'string', versions: '0+' },
                { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
              ],
            },
          },
        ],
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'topicId', type: 'uuid', versions: '7+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', default: null },
          // Set when the configs could not be described (Kafka: not authorized); never here.
          { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0, default: 0 },
          { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
          { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
          {
            name: 'configs',
            versions: '5+',
            nullableVersions: '5+',
            type: {
              array: [
                { name: 'name', type: 'string', versions: '5+' },
                { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
                { name: 'readOnly', type: 'bool', versions: '5+' },
                { name: 'configSource', type: 'int8', versions: '5+', default: -1 },
                { name: 'isSensitive', type: 'bool', versions: '5+' },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type CreateTopicsRequest = RequestOf<typeof createTopicsApi>;
export type CreateTopicsResponse = ResponseOf<typeof createTopicsApi>;
export type CreateTopicsResponseTopic = CreateTopicsResponse['topics'][number];
