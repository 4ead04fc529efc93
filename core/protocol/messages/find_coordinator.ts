// FindCoordinator (api key 10). v1 adds the key type (0 group, 1 transaction) and, in the
// response, throttle time and an error message.

import { defineMessage, type MessageValue } from '../schema.js';

export const CoordinatorKeyType = { group: 0, transaction: 1 } as const;

export const findCoordinatorRequestSchema = defineMessage({
  apiKey: 10,
  name: 'FindCoordinator',
  kind: 'request',
  versions: '0-2',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
});

export const findCoordinatorResponseSchema = defineMessage({
  apiKey: 10,
  name: 'FindCoordinator',
  kind: 'response',
  versions: '0-2',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', default: null },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
  ],
});

export type FindCoordinatorRequest = MessageValue<typeof findCoordinatorRequestSchema>;
export type FindCoordinatorResponse = MessageValue<typeof findCoordinatorResponseSchema>;
