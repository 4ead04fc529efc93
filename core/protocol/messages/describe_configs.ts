// DescribeConfigs (api key 32). v1 adds synonyms and config sources; v0's isDefault flag is
// replaced by the source. v3 adds documentation (when asked) and each config's type; v4 is the
// first flexible version. Served from v1 as Kafka 4.x does (KIP-896 dropped v0). Resource types:
// 2 topic, 4 broker.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const describeConfigsApi = defineApi({
  key: 32,
  name: 'DescribeConfigs',
  versions: '1-4',
  flexibleVersions: '4+',
  request: [
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          // null lists every configuration key.
          { name: 'configurationKeys', type: { array: 'string' }, versions: '0+', nullableVersions: '0+' },
        ],
      },
    },
    { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false },
    { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs',
            versions: '0+',
            type: {
              array: [
                { name: 'name', type: 'string', versions: '0+' },
                { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
                { name: 'readOnly', type: 'bool', versions: '0+' },
                { name: 'isDefault', type: 'bool', versions: '0', default: false },
                { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
                { name: 'isSensitive', type: 'bool', versions: '0+' },
                {
                  name: 'synonyms',
                  versions: '1+',
                  type: {
                    array: [
                      { name: 'name', type: 'string', versions: '1+' },
                      { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
                      { name: 'source', type: 'int8', versions: '1+' },
                    ],
                  },
                },
                // Kafka's ConfigType: 1 BOOLEAN, 2 STRING, 3 INT, 4 SHORT, 5 LONG, 6 DOUBLE, 7 LIST…
                { name: 'configType', type: 'int8', versions: '3+', default: 0 },
                { name: 'documentation', type: 'string', versions: '3+', nullableVersions: '0+', default: null },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type DescribeConfigsRequest = RequestOf<typeof describeConfigsApi>;
export type DescribeConfigsResponse = ResponseOf<typeof describeConfigsApi>;
