// CreateAcls (api key 30): adds ACL bindings, one result per creation in request order. Served
// from v1 as Kafka 4.x does (KIP-896 dropped v0); v2 is the first flexible version, v3 adds the
// USER resource type. Codes: core/acl/acl.ts.

import { defineApi } from '../api_definition.js';

export const createAclsApi = defineApi({
  key: 30,
  name: 'CreateAcls',
  versions: '1-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'creations',
      versions: '0+',
      type: {
        array: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
          { name: 'principal', type: 'string', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
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
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    },
  ],
});
