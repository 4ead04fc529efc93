// Goal: serving a new (flexible) version is a table edit, not new code. Method: take Heartbeat's
// table as it stood before v4, its first flexible version, widen it to v4, and check the bytes
// Kafka defines for it: compact strings and a tag section, with no codec change.

import { expect, it } from 'vitest';
import { defineApi } from '../../../core/protocol/api_definition.js';
import { heartbeatApi } from '../../../core/protocol/messages/heartbeat.js';
import { Reader } from '../../../core/protocol/reader.js';
import { compileMessage } from '../../../core/protocol/struct_codec.js';
import { Writer, concatChunks } from '../../../core/protocol/writer.js';

const toHex = (bytes: Uint8Array): string => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');

it('widening a table to a flexible version switches to compact encodings and tag sections', () => {
  const before = { ...heartbeatApi.request, versions: '0-3' };
  const widened = { ...before, versions: '0-4' };
  const codec = compileMessage(widened, 4);
  const body = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };
  const writer = new Writer();
  codec.encode(writer, body);
  const bytes = concatChunks(writer.finish());
  expect(toHex(bytes)).toBe('02 67 00 00 00 01 02 6d 00 00');
  expect(codec.decode(new Reader(bytes))).toEqual(body);
  // The table before the edit stops at v3.
  expect(() => compileMessage(before, 4)).toThrow(/not served/);
});

it('refuses a table whose tagged field has no tag, when the module loads rather than on the wire', () => {
  const broken = defineApi({
    key: 999,
    name: 'Broken',
    versions: '0',
    flexibleVersions: '0+',
    request: [{ name: 'note', type: 'string', versions: '0+', taggedVersions: '0+' }],
    response: [],
  });
  expect(() => compileMessage(broken.request, 0)).toThrow(/no tag/);
});

it('refuses an API whose served versions are open-ended, since every served version is compiled and advertised', () => {
  expect(() => defineApi({ key: 999, name: 'Open', versions: '3+', flexibleVersions: 'none', request: [], response: [] })).toThrow(/bounded/);
});
