// Goal: no input makes the decoder fail with anything but ProtocolError (malformed: close the
// connection) or UnsupportedApiError (answer UNSUPPORTED_VERSION): never a RangeError, a
// TypeError or a hang, which would take down more than one connection.
// Method: truncated and mutated encodings of valid bodies for every (api, version), and random
// bytes behind random api keys and versions.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiCatalog, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../core/protocol/codec.js';
import { ProtocolError, UnsupportedApiError } from '../../../core/protocol/errors.js';
import { decodeRequestHeader } from '../../../core/protocol/header.js';
import { apiByKey, type RequestBody, type ResponseBody } from '../../../core/protocol/messages/registry.js';
import { Reader } from '../../../core/protocol/reader.js';
import { inVersions, parseVersions } from '../../../core/protocol/schema.js';
import { Writer, concatChunks } from '../../../core/protocol/writer.js';
import { messageArbitrary } from './schema_arbitrary.js';

type Kind = 'request' | 'response';

const cases = apiCatalog.flatMap((entry) => {
  const out: { name: string; apiKey: number; version: number; kind: Kind }[] = [];
  for (let version = entry.versionMin; version <= entry.versionMax; version++) {
    for (const kind of ['request', 'response'] as const) out.push({ name: entry.name, apiKey: entry.apiKey, version, kind });
  }
  return out;
});

function encode(apiKey: number, version: number, kind: Kind, body: Record<string, unknown>): Uint8Array {
  const writer = new Writer(64);
  if (kind === 'request') encodeRequest(apiKey, version, body as RequestBody, writer);
  else encodeResponse(apiKey, version, body as ResponseBody, writer);
  return concatChunks(writer.finish());
}

function decode(apiKey: number, version: number, kind: Kind, bytes: Uint8Array): void {
  const reader = new Reader(bytes);
  if (kind === 'request') decodeRequest(apiKey, version, reader);
  else decodeResponse(apiKey, version, reader);
}

/** Runs `fn`; returns the error class name if it threw one of ours, and rethrows anything else. */
function outcome(fn: () => void): 'ok' | 'ProtocolError' | 'UnsupportedApiError' {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof UnsupportedApiError) return 'UnsupportedApiError';
    if (error instanceof ProtocolError) return 'ProtocolError';
    throw error;
  }
}

/** Bodies with no field on the wire (ListGroups v0–2, ApiVersions v0–2 requests) have no prefix. */
function hasWireFields({ apiKey, version, kind }: (typeof cases)[number]): boolean {
  const schema = apiByKey.get(apiKey)![kind];
  return schema.fields.some((field) => inVersions(parseVersions(field.versions), version));
}

describe('truncated input', () => {
  it.each(cases.filter(hasWireFields).map((entry) => [`${entry.name} ${entry.kind} v${entry.version}`, entry] as const))(
    '%s: every strict prefix throws ProtocolError',
    (_label, { apiKey, version, kind }) => {
      const schema = apiByKey.get(apiKey)![kind];
      fc.assert(
        fc.property(messageArbitrary(schema, version), fc.nat(), (body, cut) => {
          const bytes = encode(apiKey, version, kind, body);
          fc.pre(bytes.length > 0);
          const prefix = bytes.subarray(0, cut % bytes.length);
          expect(outcome(() => decode(apiKey, version, kind, prefix))).toBe('ProtocolError');
        }),
        { numRuns: 15 },
      );
    },
  );
});

describe('mutated input', () => {
  it('flipping bytes of valid requests and responses yields only our errors', () => {
    const caseArbitrary = fc.constantFrom(...cases).chain((entry) =>
      fc.tuple(
        fc.constant(entry),
        messageArbitrary(apiByKey.get(entry.apiKey)![entry.kind], entry.version),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      ),
    );
    fc.assert(
      fc.property(caseArbitrary, ([entry, body, flips]) => {
        const bytes = encode(entry.apiKey, entry.version, entry.kind, body);
        fc.pre(bytes.length > 0);
        for (const [position, mask] of flips) bytes[position % bytes.length] ^= mask;
        const result = outcome(() => decode(entry.apiKey, entry.version, entry.kind, bytes));
        expect(result).not.toBe('UnsupportedApiError');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('random bytes', () => {
  const knownKeys = apiCatalog.map((entry) => entry.apiKey as number);

  it('behind any api key and version, decodeRequest succeeds or throws one of our two errors', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...knownKeys), fc.integer({ min: -1, max: 80 })),
        fc.integer({ min: -1, max: 13 }),
        fc.uint8Array({ maxLength: 96 }),
        (apiKey, version, bytes) => {
          outcome(() => decodeRequest(apiKey, version, new Reader(bytes)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('as a request header, decode succeeds or throws ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        expect(outcome(() => decodeRequestHeader(new Reader(bytes)))).not.toBe('UnsupportedApiError');
      }),
      { numRuns: 1000 },
    );
  });

  it('a count of 2^31 − 1 in a short body fails fast for every api with an array', () => {
    // Each body is the count followed by 16 zero bytes; decoding must throw, not loop 2^31 times.
    const body = new Uint8Array(20);
    new DataView(body.buffer).setInt32(0, 0x7fff_ffff);
    for (const entry of cases) {
      const result = outcome(() => decode(entry.apiKey, entry.version, entry.kind, body));
      expect(result === 'ok' || result === 'ProtocolError').toBe(true);
    }
  });
});
