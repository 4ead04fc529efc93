// FindCoordinator (api key 10). v1 adds the key type (0 group, 1 transaction) and, in the
// response, throttle time and an error message. Served from v0: librdkafka < 2.11 requires it
// for its group consumer.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const CoordinatorKeyType = { group: 0, transaction: 1 } as const;

export const findCoordinatorApi = defineApi({
  key: 10,
  name: 'FindCoordinator',
  versions: '0-2',
  flexibleVersions: '3+',
  request: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', default: null },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
  ],
});

export type FindCoordinatorRequest = RequestOf<typeof findCoordinatorApi>;
export type FindCoordinatorResponse = ResponseOf<typeof findCoordinatorApi>;
