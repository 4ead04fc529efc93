// Goal: a topic id's two forms (the catalogue's UUID text, the wire's 16 bytes) convert into each
// other exactly, and only UUID text converts (anything else is a programmer error: the catalogue
// makes and checks its ids). Method: fast-check over random ids and one-character edits of them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTopicIdText, topicIdFromText, topicIdText } from '../../../core/handlers/topic_ids.js';

const idBytes = fc.uint8Array({ minLength: 16, maxLength: 16 });

describe('topic ids', () => {
  it('round-trips bytes → text → bytes, and the text is a UUID', () => {
    fc.assert(
      fc.property(idBytes, (bytes) => {
        const text = topicIdText(bytes);
        expect(isTopicIdText(text)).toBe(true);
        expect(topicIdFromText(text)).toEqual(bytes);
      }),
    );
  });

  it('reads the text Kafka writes', () => {
    expect([...topicIdFromText('00112233-4455-6677-8899-aabbccddeeff')]).toEqual([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  });

  it('converts text exactly when it is a UUID: any one character changed, added or removed', () => {
    const edit = fc.tuple(idBytes, fc.nat(36), fc.constantFrom('replace', 'insert', 'delete'), fc.constantFrom('-', '0', '9', 'a', 'f', 'g', 'A', 'F', ' ', '/', ':', '`', 'é'));
    fc.assert(
      fc.property(edit, ([bytes, at, kind, char]) => {
        const text = topicIdText(bytes);
        const edited = kind === 'insert' ? text.slice(0, at) + char + text.slice(at) : text.slice(0, at) + (kind === 'replace' ? char : '') + text.slice(at + 1);
        if (isTopicIdText(edited)) expect(topicIdText(topicIdFromText(edited))).toBe(edited);
        else expect(() => topicIdFromText(edited)).toThrow(/is not a UUID/);
      }),
      { numRuns: 2000 },
    );
  });
});
