// Operating errors of the wire codecs. Two families, kept apart because the broker reacts to them
// differently:
//
// - ProtocolError: the bytes are malformed (truncated, a length that lies, a frame size out of
//   bounds). Nothing more can be trusted on that connection; the connection layer logs it and
//   closes that one connection.
// - UnsupportedApiError: the bytes may be fine but we do not serve that (api key, api version).
//   The broker answers UNSUPPORTED_VERSION (35) with the request's correlation id and keeps the
//   connection (for ApiVersions with the v0-shaped body, see codec.ts).
//
// Both are LanesErrors, so they carry Kafka's numeric code and a stable string code for logs.

import { ErrorCode, LanesError } from '../errors.js';

export class ProtocolError extends LanesError {
  static override readonly capturesStack: boolean = false;
  override name = 'ProtocolError';
  readonly code: string = 'LANES_MALFORMED_MESSAGE';

  constructor(message: string) {
    super(ErrorCode.INVALID_REQUEST, message);
  }
}

/** A frame whose int32 size is negative or above the cap: the connection must close unread. */
export class FrameSizeError extends ProtocolError {
  override name = 'FrameSizeError';
  override readonly code: string = 'LANES_FRAME_SIZE';
  readonly frameBytes: number;

  constructor(frameBytes: number, frameBytesMax: number) {
    super(
      frameBytes < 0
        ? `frame size ${frameBytes} is negative`
        : `frame size ${frameBytes} exceeds the limit of ${frameBytesMax} bytes`,
    );
    this.frameBytes = frameBytes;
  }
}

export type UnsupportedApiReason = 'unknown-api-key' | 'unsupported-version';

/** An api key we do not know, or a version of a known api outside the range the codec serves. */
export class UnsupportedApiError extends LanesError {
  override name = 'UnsupportedApiError';
  readonly code: string = 'LANES_UNSUPPORTED_VERSION';
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly reason: UnsupportedApiReason;

  constructor(apiKey: number, apiVersion: number, reason: UnsupportedApiReason) {
    super(
      ErrorCode.UNSUPPORTED_VERSION,
      reason === 'unknown-api-key'
        ? `api key ${apiKey} is not supported`
        : `api key ${apiKey} version ${apiVersion} is not supported`,
    );
    this.apiKey = apiKey;
    this.apiVersion = apiVersion;
    this.reason = reason;
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}

export function isUnsupportedApiError(error: unknown): error is UnsupportedApiError {
  return error instanceof UnsupportedApiError;
}
