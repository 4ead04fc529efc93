// AlterUserScramCredentials (api key 51, KIP-554): deletes and upserts SCRAM credentials. The
// client sends the salt and the salted password (PBKDF2 of the password), never the password;
// the broker keeps only the stored and server keys derived from it (RFC 5802).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const alterUserScramCredentialsApi = defineApi({
  key: 51,
  name: 'AlterUserScramCredentials',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    {
      name: 'deletions',
      versions: '0+',
      type: {
        array: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'mechanism', type: 'int8', versions: '0+' },
        ],
      },
    },
    {
      name: 'upsertions',
      versions: '0+',
      type: {
        array: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'mechanism', type: 'int8', versions: '0+' },
          { name: 'iterations', type: 'int32', versions: '0+' },
          { name: 'salt', type: 'bytes', versions: '0+' },
          { name: 'saltedPassword', type: 'bytes', versions: '0+' },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'user', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    },
  ],
});

export type AlterUserScramCredentialsRequest = RequestOf<typeof alterUserScramCredentialsApi>;
export type AlterUserScramCredentialsResponse = ResponseOf<typeof alterUserScramCredentialsApi>;
