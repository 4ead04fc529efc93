// Throwaway TLS material for security tests, made with the `openssl` command at test time (none
// is committed): a CA, a server certificate it signs for localhost and 127.0.0.1, and a client
// certificate it signs (for ssl.client.auth). `serverCert` can be called again for a fresh
// certificate (a rotation), with its own serial number.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWithoutTool } from './required_tool.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether the tests of `what` must skip (no openssl; throws in CI). */
export function skipWithoutOpenssl(what: string): boolean {
  return skipWithoutTool('openssl', hasOpenssl(), 'apt-get install openssl', what);
}

export interface TestCerts {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Writes a new server certificate and key over certFile/keyFile, signed by the same CA. */
  rotate(commonName: string): void;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(dir: string, name: string, commonName: string, extensions: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-sha256', '-extfile', `${name}.ext`]);
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-certs-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=lanes-test-ca']);
  const server = (commonName: string): void => signed(dir, 'server', commonName, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  server('lanes-test-server');
  signed(dir, 'client', 'lanes-test-client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    rotate: server,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
