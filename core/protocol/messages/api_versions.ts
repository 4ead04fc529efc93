// ApiVersions (api key 18). Clients send it first on every connection. v3 is flexible: compact
// strings and arrays and tag sections in the body, request header v2, but the response header
// stays v0 (see header.ts). The four tagged response fields describe feature flags (KIP-584);
// Lanes advertises one, transaction.version (core/handlers/api_versions.ts). v4 only lifts a rule
// on feature ranges: a supported feature's min version may be 0.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const apiVersionsApi = defineApi({
  key: 18,
  name: 'ApiVersions',
  versions: '0-4',
  flexibleVersions: '3+',
  request: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+', default: '' },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+', default: '' },
  ],
  response: [
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

export type ApiVersionsRequest = RequestOf<typeof apiVersionsApi>;
export type ApiVersionsResponse = ResponseOf<typeof apiVersionsApi>;
export type ApiVersionsResponseKey = ApiVersionsResponse['apiKeys'][number];
