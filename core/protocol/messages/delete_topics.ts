// DeleteTopics (api key 20). v0–v3 are the same list of names; v3 may answer
// TOPIC_DELETION_DISABLED; v4 is the first flexible version; v5 adds an error message per topic;
// v6 names each topic by name or by id (KIP-516, exactly one of them) and answers both.
// Served from v1, as Kafka 4.x does (KIP-896 dropped v0).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const deleteTopicsApi = defineApi({
  key: 20,
  name: 'DeleteTopics',
  versions: '1-6',
  flexibleVersions: '4+',
  request: [
    {
      name: 'topics',
      versions: '6+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
          { name: 'topicId', type: 'uuid', versions: '6+' },
        ],
      },
    },
    { name: 'topicNames', type: { array: 'string' }, versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+', nullableVersions: '6+' },
          { name: 'topicId', type: 'uuid', versions: '6+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        ],
      },
    },
  ],
});

export type DeleteTopicsRequest = RequestOf<typeof deleteTopicsApi>;
export type DeleteTopicsResponse = ResponseOf<typeof deleteTopicsApi>;
export type DeleteTopicsResponseTopic = DeleteTopicsResponse['responses'][number];
