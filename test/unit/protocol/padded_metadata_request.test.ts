// librdkafka 2.15.1's all-topics Metadata v12 body, as captured from @confluentinc/kafka-javascript:
// its topic count left as four zero bytes (a compact null and three bytes of padding), then
// allow_auto_topic_creation = true, include_topic_authorized_operations = false, no tags. It is
// read as librdkafka meant it; anything else with bytes left over is still not a request.
import { describe, expect, it } from 'vitest';
import { decodePaddedMetadataRequest } from '../../../core/protocol/padded_metadata_request.js';
import { Reader } from '../../../core/protocol/reader.js';

const librdkafkaAllTopics = Uint8Array.of(0, 0, 0, 0, 1, 0, 0);

describe('decodePaddedMetadataRequest', () => {
  it('reads librdkafka\'s padded all-topics request at v9 to v12 as all topics, with its flags', () => {
    for (const version of [11, 12]) {
      expect(decodePaddedMetadataRequest(version, new Reader(librdkafkaAllTopics))).toMatchObject({ topics: null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
    }
    // v9-v10 still carry include_cluster_authorized_operations: one more flag byte.
    expect(decodePaddedMetadataRequest(9, new Reader(Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0)))).toMatchObject({ topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true });
  });

  it('refuses every other shape: older versions, a non-zero count, a topic list, bytes still left', () => {
    expect(decodePaddedMetadataRequest(8, new Reader(librdkafkaAllTopics))).toBeNull();
    expect(decodePaddedMetadataRequest(12, new Reader(Uint8Array.of(0, 0, 1, 0, 1, 0, 0)))).toBeNull();
    expect(decodePaddedMetadataRequest(12, new Reader(Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 9)))).toBeNull();
    expect(decodePaddedMetadataRequest(12, new Reader(Uint8Array.of(0, 0, 0, 0)))).toBeNull();
    // Truncated after the padding: malformed, not padded.
    expect(decodePaddedMetadataRequest(12, new Reader(Uint8Array.of(0, 0, 0, 0, 1)))).toBeNull();
  });
});
