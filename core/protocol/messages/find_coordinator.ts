// FindCoordinator (api key 10). v1 adds the key type (0 group, 1 transaction) and, in the
// response, throttle time and an error message; v3 is the first flexible version; v4 batches
// (KIP-699): many keys of one type in, one coordinator per key out, and the single-key fields
// leave; v5 and v6 only admit new error codes and the share-group key type (2).
// Served from v0 as Kafka 4.x does (KIP-896 kept it): librdkafka < 2.11 requires it.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const CoordinatorKeyType = { group: 0, transaction: 1, share: 2 } as const;

export const findCoordinatorApi = defineApi({
  key: 10,
  name: 'FindCoordinator',
  versions: '0-6',
  flexibleVersions: '3+',
  request: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: { array: 'string' }, versions: '4+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', default: null },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      versions: '4+',
      type: {
        array: [
          { name: 'key', type: 'string', versions: '4+' },
          { name: 'nodeId', type: 'int32', versions: '4+' },
          { name: 'host', type: 'string', versions: '4+' },
          { name: 'port', type: 'int32', versions: '4+' },
          { name: 'errorCode', type: 'int16', versions: '4+' },
          { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
        ],
      },
    },
  ],
});

export type FindCoordinatorRequest = RequestOf<typeof findCoordinatorApi>;
export type FindCoordinatorResponse = ResponseOf<typeof findCoordinatorApi>;
export type FindCoordinatorResponseCoordinator = FindCoordinatorResponse['coordinators'][number];
