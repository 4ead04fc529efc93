// CreateTopics (api key 19). v1 adds validateOnly and per-topic error messages; v4 lets
// numPartitions and replicationFactor be -1 (broker defaults) without manual assignments.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const createTopicsApi = defineApi({
  key: 19,
  name: 'CreateTopics',
  versions: '0-4',
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
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', default: null },
        ],
      },
    },
  ],
});

export type CreateTopicsRequest = RequestOf<typeof createTopicsApi>;
export type CreateTopicsResponse = ResponseOf<typeof createTopicsApi>;
