// ApiVersions (api key 18). Clients send it first on every connection. v3 is flexible: compact
// strings and arrays and tag sections in the body, request header v2, but the response header
// stays v0 (see header.ts). The four tagged response fields describe feature flags, which Lanes
// does not use; they are in the table so that tagged fields are exercised end to end.

import { defineMessage, type MessageValue } from '../schema.js';

export const apiVersionsRequestSchema = defineMessage({
  apiKey: 18,
  name: 'ApiVersions',
  kind: 'request',
  versions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+', default: '' },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+', default: '' },
  ],
});

export const apiVersionsResponseSchema = defineMessage({
  apiKey: 18,
  name: 'ApiVersions',
  kind: 'response',
  versions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'apiKeys',
      versions: '0+',
      type: {
        array: [
          { name: 'apiKey', type: 'int16', versions: '0+' },
          { name: 'minVersion', type: 'int16', versions: '0+' },
          { name: 'maxVersion', type: 'int16', versions: '0+' },
        ],
      },
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'supportedFeatures',
      versions: '3+',
      taggedVersions: '3+',
      tag: 0,
      type: {
        array: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'minVersion', type: 'int16', versions: '3+' },
          { name: 'maxVersion', type: 'int16', versions: '3+' },
        ],
      },
    },
    { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: -1 },
    {
      name: 'finalizedFeatures',
      versions: '3+',
      taggedVersions: '3+',
      tag: 2,
      type: {
        array: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
          { name: 'minVersionLevel', type: 'int16', versions: '3+' },
        ],
      },
    },
    { name: 'zkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: false },
  ],
});

export type ApiVersionsRequest = MessageValue<typeof apiVersionsRequestSchema>;
export type ApiVersionsResponse = MessageValue<typeof apiVersionsResponseSchema>;
export type ApiVersionsResponseKey = ApiVersionsResponse['apiKeys'][number];
