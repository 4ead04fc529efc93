// DescribeUserScramCredentials (api key 50, KIP-554): which SCRAM mechanisms, with how many
// iterations, each user has; never the salt or keys. Users null: every user.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const describeUserScramCredentialsApi = defineApi({
  key: 50,
  name: 'DescribeUserScramCredentials',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    {
      name: 'users',
      versions: '0+',
      nullableVersions: '0+',
      type: { array: [{ name: 'name', type: 'string', versions: '0+' }] },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'user', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'credentialInfos',
            versions: '0+',
            type: {
              array: [
                { name: 'mechanism', type: 'int8', versions: '0+' },
                { name: 'iterations', type: 'int32', versions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type DescribeUserScramCredentialsRequest = RequestOf<typeof describeUserScramCredentialsApi>;
export type DescribeUserScramCredentialsResponse = ResponseOf<typeof describeUserScramCredentialsApi>;
