// Goal: the README's "Kafka APIs served" table says exactly what ApiVersions answers, so a user
// reading it learns what a client will negotiate. Method: parse the table, ask the real handler
// table's ApiVersions at its newest version, read the answer back as a client does, compare.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { handlerFor } from '../../../core/handlers/handler_table.js';
import { noResponse } from '../../../core/handlers/handler.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { decodeResponse, encodeResponse } from '../../../core/protocol/codec.js';
import { apiVersionsApi } from '../../../core/protocol/messages/api_versions.js';
import type { ResponseBody } from '../../../core/protocol/messages/registry.js';
import { Reader } from '../../../core/protocol/reader.js';
import { Writer, concatChunks } from '../../../core/protocol/writer.js';
import { repoRoot } from '../../support/built_cli.js';
import { context } from './fakes.js';

/** The table's rows as [api key, min, max], in the README's order. */
function readmeTable(): [number, number, number][] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('\n## Kafka APIs served\n')[1]?.split('\n## ')[0];
  expect(section, 'README has a "Kafka APIs served" section').toBeDefined();
  const rows: [number, number, number][] = [];
  for (const line of section!.split('\n')) {
    const match = /^\| [A-Za-z]+ \| (\d+) \| (\d+)(?:–(\d+))? \|$/.exec(line);
    if (match !== null) rows.push([Number(match[1]), Number(match[2]), Number(match[3] ?? match[2])]);
  }
  return rows;
}

it('the README lists, in key order, exactly the versions ApiVersions advertises', async () => {
  const version = apiVersionsApi.versionMax;
  const response = await handlerFor(ApiKey.ApiVersions, version)!.handle(context({ apiVersion: version }), { clientSoftwareName: 'test', clientSoftwareVersion: '1' } as never);
  expect(response).not.toBe(noResponse);
  const writer = new Writer();
  encodeResponse(ApiKey.ApiVersions, version, response as ResponseBody, writer);
  const answered = decodeResponse(ApiKey.ApiVersions, version, new Reader(concatChunks(writer.finish())));
  expect(readmeTable()).toEqual(answered.apiKeys.map((api) => [api.apiKey, api.minVersion, api.maxVersion]));
});
