// SaslAuthenticate (api key 36): one SASL token each way (PLAIN: one round; SCRAM: two). v1 adds
// the session lifetime (KIP-368: the client re-authenticates before it ends); v2 is flexible.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const saslAuthenticateApi = defineApi({
  key: 36,
  name: 'SaslAuthenticate',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
  ],
});

export type SaslAuthenticateRequest = RequestOf<typeof saslAuthenticateApi>;
export type SaslAuthenticateResponse = ResponseOf<typeof saslAuthenticateApi>;
