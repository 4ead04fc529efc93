// InitProducerId (api key 22). Enough for idempotent producers; v3+ (epoch bump recovery, KIP-360)
// is flexible and not served yet.

import { defineMessage, type MessageValue } from '../schema.js';

export const initProducerIdRequestSchema = defineMessage({
  apiKey: 22,
  name: 'InitProducerId',
  kind: 'request',
  versions: '0-1',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
  ],
});

export const initProducerIdResponseSchema = defineMessage({
  apiKey: 22,
  name: 'InitProducerId',
  kind: 'response',
  versions: '0-1',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
});

export type InitProducerIdRequest = MessageValue<typeof initProducerIdRequestSchema>;
export type InitProducerIdResponse = MessageValue<typeof initProducerIdResponseSchema>;
