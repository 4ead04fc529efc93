// AddOffsetsToTxn (api key 25), v0–v4. v2 lets the broker answer PRODUCER_FENCED; v3 is the first
// flexible version; v4 adds TRANSACTION_ABORTABLE to what a broker may answer (Lanes never does).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const addOffsetsToTxnApi = defineApi({
  key: 25,
  name: 'AddOffsetsToTxn',
  versions: '0-4',
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export type AddOffsetsToTxnRequest = RequestOf<typeof addOffsetsToTxnApi>;
export type AddOffsetsToTxnResponse = ResponseOf<typeof addOffsetsToTxnApi>;
