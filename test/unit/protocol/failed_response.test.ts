// Goal: an answer that cannot be encoded (a message too long for a protocol string) still gets
// the API's error response: same shape, every error code UNKNOWN_SERVER_ERROR, messages dropped;
// and error messages quoting client values stay inside a protocol string. Method: hand-built bodies.
import { describe, expect, it } from 'vitest';
import { ErrorCode, LanesError, quoted } from '../../../core/errors.js';
import { errorMessageCharsMax, quotedValueCharsMax } from '../../../core/limits.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { decodeResponse, encodeResponseFrame } from '../../../core/protocol/codec.js';
import { failedResponse } from '../../../core/protocol/failed_response.js';
import { decodeResponseHeader, responseHeaderVersion } from '../../../core/protocol/header.js';
import { Reader } from '../../../core/protocol/reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';

describe('failedResponse', () => {
  it('turns an unencodable CreateTopics answer into UNKNOWN_SERVER_ERROR per topic', () => {
    const body = {
      throttleTimeMs: 0,
      topics: [
        { topicName: 'a', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: 'm'.repeat(40_000) },
        { topicName: 'b', errorCode: ErrorCode.NONE, errorMessage: null },
      ],
    };
    expect(() => encodeResponseFrame(ApiKey.CreateTopics, 4, 7, body as never)).toThrow(/exceeds/);
    const frame = concatChunks(encodeResponseFrame(ApiKey.CreateTopics, 4, 7, failedResponse(body) as never));
    const reader = new Reader(frame.subarray(4));
    expect(decodeResponseHeader(reader, responseHeaderVersion(ApiKey.CreateTopics, 4)).correlationId).toBe(7);
    const decoded = decodeResponse(ApiKey.CreateTopics, 4, reader);
    expect(decoded.topics.map((topic) => [topic.topicName, topic.errorCode, topic.errorMessage])).toEqual([
      ['a', ErrorCode.UNKNOWN_SERVER_ERROR, null],
      ['b', ErrorCode.UNKNOWN_SERVER_ERROR, null],
    ]);
    // The handler's body is left as it was.
    expect(body.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('keeps byte fields as they are (shared, not copied)', () => {
    const records = [new Uint8Array([1, 2, 3])];
    const copy = failedResponse({ errorCode: 0, responses: [{ records }] });
    expect(copy.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(copy.responses[0].records[0]).toBe(records[0]);
  });
});

describe('error messages', () => {
  it('quote a long client value cut, saying how long it was', () => {
    const message = quoted('x'.repeat(0x7fff));
    expect(message.length).toBeLessThan(quotedValueCharsMax + 40);
    expect(message).toContain(`(${0x7fff} characters)`);
    expect(quoted('short')).toBe('"short"');
    expect(quoted(null)).toBe('null');
  });

  it('are bounded whatever they contain', () => {
    const error = new LanesError(ErrorCode.INVALID_REQUEST, 'y'.repeat(100_000));
    expect(error.message.length).toBeLessThanOrEqual(errorMessageCharsMax);
  });
});
