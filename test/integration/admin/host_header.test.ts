// DNS rebinding: a page on attacker.example whose name then resolves to 127.0.0.1 can make the
// victim's browser call the admin port, but the browser sends Host: attacker.example. The admin
// port answers only requests addressed to a loopback name, its configured host or an IP address.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../../../actors/admin/admin_server.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';

let server: TestServer;
let admin: AdminServer;

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
  admin = await new AdminServer({ broker: server.broker, pollIntervalMs: 200 }).listen('127.0.0.1', 0);
});

afterAll(async () => {
  await admin?.stop();
  await server?.stop();
});

function get(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: admin.port, path, headers: { Host: host } }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the admin port and the Host header', () => {
  it.each(['localhost', `localhost:${9644}`, 'LOCALHOST', '127.0.0.1', '[::1]', '[::1]:9644'])('answers Host: %s', async (host) => {
    const answer = await get('/healthz', host);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('ok\n');
  });

  it('answers its own address with its port', async () => {
    expect((await get('/healthz', `127.0.0.1:${admin.port}`)).status).toBe(200);
  });

  it.each(['attacker.example', `attacker.example:${9644}`, 'localhost.attacker.example', 'evil'])('refuses Host: %s with 421 and no data', async (host) => {
    for (const path of ['/api/overview', '/metrics', '/']) {
      const answer = await get(path, host);
      expect(answer.status).toBe(421);
      expect(answer.body).not.toContain('lanes_');
      expect(answer.body).not.toContain('topics');
    }
  });
});

describe('the Kafka listener on /metrics', () => {
  it('reports open connections and the bytes its bounds count', async () => {
    admin.observeListener(server.listener);
    const { RawClient } = await import('../wire/raw_client.js');
    const raw = await RawClient.connect(server.port);
    try {
      await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'metrics', clientSoftwareVersion: '1' });
      const answer = await get('/metrics', 'localhost');
      expect(answer.status).toBe(200);
      const connections = /^lanes_listener_connections (\d+)$/m.exec(answer.body);
      expect(Number(connections?.[1])).toBeGreaterThanOrEqual(1);
      expect(answer.body).toMatch(/^lanes_listener_request_bytes \d+$/m);
      expect(answer.body).toMatch(/^lanes_listener_response_bytes \d+$/m);
    } finally {
      raw.close();
    }
  });
});
