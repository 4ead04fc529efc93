// Goal: what ApiVersions tells a client is exactly what the broker serves, for every API defined,
// so a client never picks a version Lanes then refuses or cannot encode. Method: ask the real
// handler table's ApiVersions at each of its versions, read the answer back as a client would
// (encode the response, decode it), compare with every definition, then check each advertised
// (api, version) end to end: dispatched to the definition's handler, a request decodes, a
// response encodes; one version past either end is refused.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handlerFor } from '../../../core/handlers/handler_table.js';
import { noResponse } from '../../../core/handlers/handler.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../core/protocol/codec.js';
import { UnsupportedApiError } from '../../../core/protocol/errors.js';
import { apiVersionsApi } from '../../../core/protocol/messages/api_versions.js';
import { apiDefinitions, type RequestBody, type ResponseBody } from '../../../core/protocol/messages/registry.js';
import { Reader } from '../../../core/protocol/reader.js';
import { Writer, concatChunks } from '../../../core/protocol/writer.js';
import { messageArbitrary } from '../../property/protocol/schema_arbitrary.js';
import { context } from './fakes.js';

const definedRanges = apiDefinitions.map((api) => ({ apiKey: api.key, minVersion: api.versionMin, maxVersion: api.versionMax }));

async function advertisedAt(version: number) {
  const handler = handlerFor(ApiKey.ApiVersions, version);
  expect(handler?.api).toBe(apiVersionsApi);
  const body = fc.sample(messageArbitrary(apiVersionsApi.request, version), { numRuns: 1, seed: version })[0];
  const response = await handler!.handle(context({ apiVersion: version }), body as never);
  expect(response).not.toBe(noResponse);
  // Read back as a client reads it: only what survives the wire counts.
  const writer = new Writer();
  encodeResponse(ApiKey.ApiVersions, version, response as ResponseBody, writer);
  return decodeResponse(ApiKey.ApiVersions, version, new Reader(concatChunks(writer.finish())));
}

describe('ApiVersions', () => {
  const versions: number[] = [];
  for (let version = apiVersionsApi.versionMin; version <= apiVersionsApi.versionMax; version++) versions.push(version);

  it.each(versions)('v%i advertises exactly the versions of every defined API', async (version) => {
    const answer = await advertisedAt(version);
    expect(answer.errorCode).toBe(0);
    expect(answer.apiKeys).toEqual(definedRanges);
  });
});

describe.each(apiDefinitions.map((api) => [api.name, api] as const))('%s', (_name, api) => {
  it('every advertised version is dispatched, decodes a request and encodes a response', () => {
    for (let version = api.versionMin; version <= api.versionMax; version++) {
      expect(handlerFor(api.key, version)?.api).toBe(api);
      const seed = api.key * 100 + version;
      const [request] = fc.sample(messageArbitrary(api.request, version), { numRuns: 1, seed });
      const requestWriter = new Writer();
      encodeRequest(api.key, version, request as RequestBody, requestWriter);
      const reader = new Reader(concatChunks(requestWriter.finish()));
      expect(decodeRequest(api.key, version, reader)).toBeDefined();
      expect(reader.remaining).toBe(0);
      const [response] = fc.sample(messageArbitrary(api.response, version), { numRuns: 1, seed });
      const responseWriter = new Writer();
      encodeResponse(api.key, version, response as ResponseBody, responseWriter);
      const responseReader = new Reader(concatChunks(responseWriter.finish()));
      expect(decodeResponse(api.key, version, responseReader)).toBeDefined();
      expect(responseReader.remaining).toBe(0);
    }
  });

  it('one version past either end is neither dispatched nor decoded', () => {
    for (const version of [api.versionMin - 1, api.versionMax + 1]) {
      expect(handlerFor(api.key, version)).toBeUndefined();
      expect(() => decodeRequest(api.key, version, new Reader(new Uint8Array(0)))).toThrow(UnsupportedApiError);
    }
  });
});
