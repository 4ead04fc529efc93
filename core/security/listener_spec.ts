// Kafka's `listeners` and `listener.security.protocol.map`, as `lanes start --listener` reads
// them: `NAME://host:port`, where NAME is a security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT,
// SASL_SSL) or any other name the protocol map gives one. Pure parsing: the actors open the
// sockets. Errors are one-line messages naming the flag, for `lanes start` to print.

export const securityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof securityProtocols)[number];

export interface ListenerSpec {
  /** Kafka's listener name, upper case (Kafka compares them so). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: SecurityProtocol;
}

/** Whether connections of this protocol speak TLS / must authenticate with SASL first. */
export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

export class ListenerSpecError extends Error {
  override name = 'ListenerSpecError';
}

function isProtocol(name: string): name is SecurityProtocol {
  return (securityProtocols as readonly string[]).includes(name);
}

/**
 * Kafka's listener.security.protocol.map: `NAME:PROTOCOL,NAME:PROTOCOL`. An empty string is an
 * empty map (listeners named like a protocol need none).
 */
export function parseProtocolMap(text: string, flag = '--listener-security-protocol-map'): ReadonlyMap<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^([A-Za-z0-9_]+):([A-Za-z_]+)$/.exec(entry);
    const protocol = match?.[2].toUpperCase();
    if (match === null || protocol === undefined || !isProtocol(protocol)) {
      throw new ListenerSpecError(`${flag}: "${entry}" is not NAME:PROTOCOL with PROTOCOL one of ${securityProtocols.join(', ')}`);
    }
    const name = match[1].toUpperCase();
    if (map.has(name)) throw new ListenerSpecError(`${flag}: listener ${name} is mapped twice`);
    map.set(name, protocol);
  }
  return map;
}

/** `NAME://host:port` (an IPv6 host in brackets; an empty host listens on every address). */
export function parseListenerAddress(text: string, flag: string): { name: string; host: string; port: number } {
  const match = /^([A-Za-z0-9_]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]]*):(\d{1,5})$/.exec(text.trim());
  if (match === null) throw new ListenerSpecError(`${flag}: "${text}" is not NAME://host:port (e.g. SASL_SSL://0.0.0.0:9093)`);
  const port = Number(match[3]);
  if (port > 65535) throw new ListenerSpecError(`${flag}: "${text}": port ${port} is above 65535`);
  const bracketed = match[2].startsWith('[');
  const host = bracketed ? match[2].slice(1, -1) : match[2] === '' ? '0.0.0.0' : match[2];
  return { name: match[1].toUpperCase(), host, port };
}

/**
 * The listeners of `--listener` values: names unique, each with its protocol (the map's, else
 * the name's own when it is a protocol name), ports unique unless 0 (a free port each).
 */
export function parseListeners(texts: readonly string[], protocolMap: ReadonlyMap<string, SecurityProtocol>): ListenerSpec[] {
  const specs: ListenerSpec[] = [];
  for (const text of texts) {
    const { name, host, port } = parseListenerAddress(text, '--listener');
    const protocol = protocolMap.get(name) ?? (isProtocol(name) ? name : undefined);
    if (protocol === undefined) {
      throw new ListenerSpecError(`--listener ${text}: ${name} is not a security protocol (${securityProtocols.join(', ')}); name its protocol with --listener-security-protocol-map ${name}:SASL_SSL`);
    }
    if (specs.some((spec) => spec.name === name)) throw new ListenerSpecError(`--listener: listener ${name} is given twice (names are unique)`);
    if (port !== 0 && specs.some((spec) => spec.port === port)) throw new ListenerSpecError(`--listener ${text}: port ${port} is already another listener's`);
    specs.push({ name, host, port, protocol });
  }
  for (const name of protocolMap.keys()) {
    if (!specs.some((spec) => spec.name === name)) throw new ListenerSpecError(`--listener-security-protocol-map: no --listener is named ${name}`);
  }
  return specs;
}

/** `--advertised-listener NAME://host:port` values by listener name; each must name a listener. */
export function parseAdvertisedListeners(texts: readonly string[], listeners: readonly ListenerSpec[]): ReadonlyMap<string, { host: string; port: number }> {
  const advertised = new Map<string, { host: string; port: number }>();
  for (const text of texts) {
    const { name, host, port } = parseListenerAddress(text, '--advertised-listener');
    if (!listeners.some((spec) => spec.name === name)) throw new ListenerSpecError(`--advertised-listener ${text}: no --listener is named ${name}`);
    if (port === 0) throw new ListenerSpecError(`--advertised-listener ${text}: clients cannot connect to port 0`);
    if (advertised.has(name)) throw new ListenerSpecError(`--advertised-listener: listener ${name} is given twice`);
    advertised.set(name, { host, port });
  }
  return advertised;
}
