// The package's version, from the package.json above this module: two levels up in the source
// tree (actors/host/), three in the build (dist/actors/host/). `lanes --version` prints it.
import { readFileSync } from 'node:fs';

export function lanesVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'lanes' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // Not at this level; try the next.
    }
  }
  return 'unknown';
}
