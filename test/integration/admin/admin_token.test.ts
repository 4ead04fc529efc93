// The admin port with a token (`lanes start --admin-token`): every route but /healthz answers
// 401 without it; a bearer header, or ?token= once in a browser (then a cookie), gets through.
// `lanes start` refuses, in one line, an admin port bound beyond loopback with neither a token
// nor --admin-insecure.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../../../actors/admin/admin_server.js';
import { plainLines, runFailingBroker, startBroker } from '../../support/broker_process.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';

let server: TestServer;
let admin: AdminServer;
const token = 'test-token-0123456789';

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
  admin = await new AdminServer({ broker: server.broker, pollIntervalMs: 200, token }).listen('127.0.0.1', 0);
});

afterAll(async () => {
  await admin?.stop();
  await server?.stop();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: admin.port, path, headers }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body, headers: incoming.headers }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('an admin port with a token', () => {
  it('answers 401 and no data without it, or with a wrong one', async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: `Bearer ${token}x` }, { Authorization: 'Basic abc' }, { Cookie: 'lanes_admin_token=nope' }]) {
      for (const path of ['/metrics', '/api/overview', '/', '/?token=wrong']) {
        const answer = await get(path, headers);
        expect(answer.status).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer realm="lanes-admin"');
        expect(answer.body).not.toContain('lanes_');
      }
    }
  });

  it('serves a bearer token, and a browser that came with ?token= through its cookie', async () => {
    const scraped = await get('/metrics', { Authorization: `Bearer ${token}` });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('lanes_');
    const page = await get(`/?token=${token}`);
    expect(page.status).toBe(200);
    const cookie = String((page.headers['set-cookie'] as string[])[0]);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get('/api/overview', { Cookie: cookie.split(';')[0] })).status).toBe(200);
  });

  it('leaves /healthz open for probes', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe('lanes start --admin-host beyond loopback', () => {
  it('refuses to start without --admin-token or --admin-insecure', async () => {
    const run = await runFailingBroker(['--storage', 'memory', '--shards', '1', '--admin-port', '0', '--admin-host', '0.0.0.0']);
    expect(run.code).toBe(1);
    expect(plainLines(run.stderr)).toEqual(['lanes: --admin-host 0.0.0.0: the admin port beyond loopback needs --admin-token <token> (or --admin-insecure to serve it to anyone who can reach it)']);
  });

  it('starts with a token (LANES_ADMIN_TOKEN) or with --admin-insecure', async () => {
    for (const [args, env] of [[['--admin-insecure'], {}], [[], { LANES_ADMIN_TOKEN: token }]] as const) {
      const broker = await startBroker(['--storage', 'memory', '--shards', '1', '--log-level', 'warn', '--admin-port', '0', '--admin-host', '0.0.0.0', ...args], { env });
      expect(broker.output().stdout).toMatch(/admin on http:\/\/0\.0\.0\.0:\d+/);
      expect((await broker.stop()).code).toBe(0);
    }
  });
});
