// Heartbeat (api key 12). v3 adds the group instance id of static members; v4 is the first
// flexible version. Served from v0 as Kafka 4.x does: librdkafka < 2.11 requires it.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const heartbeatApi = defineApi({
  key: 12,
  name: 'Heartbeat',
  versions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export type HeartbeatRequest = RequestOf<typeof heartbeatApi>;
export type HeartbeatResponse = ResponseOf<typeof heartbeatApi>;
