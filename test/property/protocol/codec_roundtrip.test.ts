// Goal: every served (api, version), request and response, survives encode → decode unchanged,
// consuming exactly the bytes written; fields a version lacks come back as their defaults.
// Method: arbitrary bodies generated from the message tables themselves.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiCatalog, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../core/protocol/codec.js';
import { apiByKey, type RequestBody, type ResponseBody } from '../../../core/protocol/messages/registry.js';
import { Reader } from '../../../core/protocol/reader.js';
import { Writer, concatChunks } from '../../../core/protocol/writer.js';
import { messageArbitrary, normalizeChunks } from './schema_arbitrary.js';

const numRuns = 40;

describe.each(apiCatalog.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
  const pair = apiByKey.get(entry.apiKey)!;
  const versions: number[] = [];
  for (let version = entry.versionMin; version <= entry.versionMax; version++) versions.push(version);

  it.each(versions)('request v%i round-trips', (version) => {
    fc.assert(
      fc.property(messageArbitrary(pair.request, version), (body) => {
        const writer = new Writer(64);
        encodeRequest(entry.apiKey, version, body as RequestBody, writer);
        const length = writer.byteLength;
        const bytes = concatChunks(writer.finish());
        expect(bytes.length).toBe(length);
        const reader = new Reader(bytes);
        const decoded = decodeRequest(entry.apiKey, version, reader);
        expect(reader.remaining).toBe(0);
        expect(decoded).toEqual(body);
      }),
      { numRuns },
    );
  });

  it.each(versions)('response v%i round-trips', (version) => {
    fc.assert(
      fc.property(messageArbitrary(pair.response, version), (body) => {
        const writer = new Writer(64);
        encodeResponse(entry.apiKey, version, body as ResponseBody, writer);
        const bytes = concatChunks(writer.finish());
        const reader = new Reader(bytes);
        const decoded = decodeResponse(entry.apiKey, version, reader) as unknown as Record<string, unknown>;
        expect(reader.remaining).toBe(0);
        expect(normalizeChunks(pair.response.fields, decoded)).toEqual(normalizeChunks(pair.response.fields, body));
      }),
      { numRuns },
    );
  });
});
