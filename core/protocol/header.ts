// Request and response headers, and which header version each (api key, api version) uses.
//
//   request header v1:  api_key int16, api_version int16, correlation_id int32,
//                       client_id nullable string (classic int16 length)
//   request header v2:  v1 + tag section. client_id stays a classic string even here.
//   response header v0: correlation_id int32
//   response header v1: v0 + tag section
//
// Flexible versions of an API use request header v2 and response header v1, except ApiVersions,
// whose response header is always v0: a client must be able to read the reply before it knows
// which versions the broker speaks.

import { ApiKey } from './api_keys.js';
import { apiDefinitions } from './messages/registry.js';
import type { Reader } from './reader.js';
import { inVersions, parseVersions, type VersionRange } from './schema.js';
import type { Writer } from './writer.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface ResponseHeader {
  correlationId: number;
}

export type RequestHeaderVersion = 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

// Parsed once: headers are decoded for every request.
const flexibleByApiKey = new Map<number, { request: VersionRange; response: VersionRange }>(
  apiDefinitions.map((api) => [
    api.key,
    { request: parseVersions(api.request.flexibleVersions), response: parseVersions(api.response.flexibleVersions) },
  ]),
);

/**
 * The request header version for (apiKey, apiVersion). Known from the tables even for versions
 * the codec does not serve; unknown api keys are assumed to use v1, which is enough to read the
 * correlation id and answer UNSUPPORTED_VERSION.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): RequestHeaderVersion {
  const flexible = flexibleByApiKey.get(apiKey);
  return flexible !== undefined && inVersions(flexible.request, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): ResponseHeaderVersion {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const flexible = flexibleByApiKey.get(apiKey);
  return flexible !== undefined && inVersions(flexible.response, apiVersion) ? 1 : 0;
}

/** Reads a request header (v1 or v2, chosen from its own api key and version). */
export function decodeRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.readInt16();
  const apiVersion = reader.readInt16();
  const correlationId = reader.readInt32();
  const clientId = reader.readNullableString();
  if (requestHeaderVersion(apiKey, apiVersion) === 2) reader.readTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeRequestHeader(writer: Writer, header: RequestHeader): void {
  writer.writeInt16(header.apiKey);
  writer.writeInt16(header.apiVersion);
  writer.writeInt32(header.correlationId);
  writer.writeNullableString(header.clientId);
  if (requestHeaderVersion(header.apiKey, header.apiVersion) === 2) writer.writeEmptyTaggedFields();
}

export function encodeResponseHeader(writer: Writer, correlationId: number, version: ResponseHeaderVersion): void {
  writer.writeInt32(correlationId);
  if (version === 1) writer.writeEmptyTaggedFields();
}

export function decodeResponseHeader(reader: Reader, version: ResponseHeaderVersion): ResponseHeader {
  const correlationId = reader.readInt32();
  if (version === 1) reader.readTaggedFields();
  return { correlationId };
}
