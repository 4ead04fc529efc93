// `--listener NAME://host:port` and `--listener-security-protocol-map` (core/security/listener_spec.ts),
// read as Kafka reads listeners and listener.security.protocol.map.
import { describe, expect, it } from 'vitest';
import { parseAdvertisedListeners, parseListeners, parseProtocolMap } from '../../../core/security/listener_spec.js';

describe('listeners', () => {
  it('take the protocol from their name, or from the map', () => {
    const map = parseProtocolMap('internal:plaintext, EXTERNAL:SASL_SSL');
    expect(parseListeners(['SASL_SSL://0.0.0.0:9093', 'INTERNAL://127.0.0.1:9092', 'external://[::1]:0', 'SSL://:9094'], map)).toEqual([
      { name: 'SASL_SSL', host: '0.0.0.0', port: 9093, protocol: 'SASL_SSL' },
      { name: 'INTERNAL', host: '127.0.0.1', port: 9092, protocol: 'PLAINTEXT' },
      { name: 'EXTERNAL', host: '::1', port: 0, protocol: 'SASL_SSL' },
      { name: 'SSL', host: '0.0.0.0', port: 9094, protocol: 'SSL' },
    ]);
  });

  it.each([
    [['OUTSIDE://h:1'], '', /OUTSIDE is not a security protocol/],
    [['PLAINTEXT://h:1', 'PLAINTEXT://h:2'], '', /given twice/],
    [['PLAINTEXT://h:1', 'SSL://h:1'], '', /port 1 is already another listener's/],
    [['PLAINTEXT:/h:1'], '', /is not NAME:\/\/host:port/],
    [['PLAINTEXT://h:70000'], '', /above 65535/],
    [['PLAINTEXT://h:1'], 'OTHER:SSL', /no --listener is named OTHER/],
    [['A://h:1'], 'A:TLS', /"A:TLS" is not NAME:PROTOCOL/],
  ])('refuses %j with map %j', (texts, map, message) => {
    expect(() => parseListeners(texts, parseProtocolMap(map))).toThrow(message);
  });

  it('advertised listeners name a listener and a connectable port', () => {
    const listeners = parseListeners(['SASL_SSL://0.0.0.0:0'], new Map());
    expect(parseAdvertisedListeners(['SASL_SSL://kafka.example:9093'], listeners)).toEqual(new Map([['SASL_SSL', { host: 'kafka.example', port: 9093 }]]));
    expect(() => parseAdvertisedListeners(['SSL://kafka.example:9093'], listeners)).toThrow(/no --listener is named SSL/);
    expect(() => parseAdvertisedListeners(['SASL_SSL://kafka.example:0'], listeners)).toThrow(/port 0/);
  });
});
