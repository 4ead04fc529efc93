// CreatePartitions (api key 37). v1 only changes throttling behaviour; v2 is the first flexible
// version; v3 may answer THROTTLING_QUOTA_EXCEEDED, which Lanes (no quotas) never does.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const createPartitionsApi = defineApi({
  key: 37,
  name: 'CreatePartitions',
  versions: '0-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          // The new total partition count.
          { name: 'count', type: 'int32', versions: '0+' },
          {
            name: 'assignments',
            versions: '0+',
            nullableVersions: '0+',
            type: { array: [{ name: 'brokerIds', type: { array: 'int32' }, versions: '0+' }] },
          },
        ],
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ],
      },
    },
  ],
});

export type CreatePartitionsRequest = RequestOf<typeof createPartitionsApi>;
export type CreatePartitionsResponse = ResponseOf<typeof createPartitionsApi>;
