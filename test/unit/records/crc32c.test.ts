import { describe, expect, it } from 'vitest';
import { crc32c, crc32cUpdate } from '../../../core/records/crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c (TypeScript twin)', () => {
  it('matches the published check value for "123456789"', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('matches RFC 3720 test vectors (32 zero bytes, 32 0xff bytes, ascending bytes)', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it('can be continued across chunks at any split, including inside the 8-byte stride', () => {
    const bytes = ascii('the quick brown fox jumps over the lazy dog, twice over');
    const whole = crc32c(bytes);
    for (let split = 0; split <= bytes.length; split++) {
      expect(crc32cUpdate(crc32c(bytes, 0, split), bytes, split)).toBe(whole);
    }
  });
});
