// SaslHandshake (api key 17): the client names a SASL mechanism; the answer lists the enabled
// ones (UNSUPPORTED_SASL_MECHANISM when it is not among them). v0 and v1, as Kafka 4 serves
// them: librdkafka requires v0 in ApiVersions before it uses SASL at all. Either way the tokens
// must then travel in SaslAuthenticate requests; a v0 client that sends them as bare frames
// (Kafka before 1.0) is closed, its frame not being a request.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const saslHandshakeApi = defineApi({
  key: 17,
  name: 'SaslHandshake',
  versions: '0-1',
  flexibleVersions: 'none',
  request: [{ name: 'mechanism', type: 'string', versions: '0+' }],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: { array: 'string' }, versions: '0+' },
  ],
});

export type SaslHandshakeRequest = RequestOf<typeof saslHandshakeApi>;
export type SaslHandshakeResponse = ResponseOf<typeof saslHandshakeApi>;
