// Heartbeat (api key 12). v3 adds the group instance id of static members.

import { defineMessage, type MessageValue } from '../schema.js';

export const heartbeatRequestSchema = defineMessage({
  apiKey: 12,
  name: 'Heartbeat',
  kind: 'request',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
});

export const heartbeatResponseSchema = defineMessage({
  apiKey: 12,
  name: 'Heartbeat',
  kind: 'response',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export type HeartbeatRequest = MessageValue<typeof heartbeatRequestSchema>;
export type HeartbeatResponse = MessageValue<typeof heartbeatResponseSchema>;
