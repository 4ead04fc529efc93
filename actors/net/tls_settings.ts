// TLS for SSL and SASL_SSL listeners, from PEM files: the certificate (chain), its key, and an
// optional CA bundle that client certificates must chain to (Kafka's ssl.client.auth: none,
// requested, or required). The files are read at start (a file that cannot be read or parsed
// stops the start with one line naming its flag) and again on `reload` (SIGHUP): new connections
// get the new certificate, open ones keep theirs; a reload that fails keeps the old one and says why.
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export const clientAuthModes = ['none', 'requested', 'required'] as const;
export type ClientAuth = (typeof clientAuthModes)[number];

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** Client certificates must chain to these; absent: Node's default roots. */
  readonly caFile?: string;
  readonly clientAuth: ClientAuth;
}

export class TlsSettingsError extends Error {
  override name = 'TlsSettingsError';
}

function read(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsSettingsError(`${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** The PEM files' contents, checked by building a context from them (a bad pair fails here, not on a client's handshake). */
export function loadTlsMaterial(files: TlsFiles): SecureContextOptions {
  const material: SecureContextOptions = {
    cert: read(files.certFile, '--ssl-cert'),
    key: read(files.keyFile, '--ssl-key'),
    ...(files.caFile === undefined ? {} : { ca: read(files.caFile, '--ssl-ca') }),
  };
  try {
    createSecureContext(material);
  } catch (error) {
    throw new TlsSettingsError(`--ssl-cert ${files.certFile} / --ssl-key ${files.keyFile}: not a usable PEM certificate and key (${error instanceof Error ? error.message : String(error)})`);
  }
  return material;
}

/** The server options of a TLS listener: the material and Kafka's ssl.client.auth. */
export function tlsServerOptions(files: TlsFiles, material: SecureContextOptions): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  return { ...material, requestCert: files.clientAuth !== 'none', rejectUnauthorized: files.clientAuth === 'required' };
}
