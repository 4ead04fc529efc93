// DeleteTopics (api key 20). v0–v3 are the same list of names; v3 may answer
// TOPIC_DELETION_DISABLED.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const deleteTopicsApi = defineApi({
  key: 20,
  name: 'DeleteTopics',
  versions: '0-3',
  flexibleVersions: '4+',
  request: [
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
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    },
  ],
});

export type DeleteTopicsRequest = RequestOf<typeof deleteTopicsApi>;
export type DeleteTopicsResponse = ResponseOf<typeof deleteTopicsApi>;
