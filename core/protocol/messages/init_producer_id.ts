// InitProducerId (api key 22), v0–v5. v1 is v0; v2 is the first flexible version; v3 adds the
// current producer id and epoch, so a producer can ask for its epoch to be bumped (KIP-360); v4
// lets the broker answer PRODUCER_FENCED (90) instead of INVALID_PRODUCER_EPOCH (47); v5 lets it
// answer TRANSACTION_ABORTABLE (KIP-890), a transactions-only code.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const initProducerIdApi = defineApi({
  key: 22,
  name: 'InitProducerId',
  versions: '0-5',
  flexibleVersions: '2+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
});

export type InitProducerIdRequest = RequestOf<typeof initProducerIdApi>;
export type InitProducerIdResponse = ResponseOf<typeof initProducerIdApi>;
