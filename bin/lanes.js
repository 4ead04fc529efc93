#!/usr/bin/env node
// Thin shim: the CLI lives in actors/host/cli.ts, compiled to dist/ by `npm install` (whose
// `prepare` builds only what is stale: bin/build_if_stale.js) and bundled into one entry with the
// chunks it shares (bin/bundle.js): loading it is most of a command's start-up. The compiled,
// unbundled '../dist/actors/host/cli.js' serves when the bundle is absent.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/bundle/cli.js', import.meta.url);
const cli = existsSync(bundled) ? bundled : new URL('../dist/actors/host/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('lanes: dist/ is not built; run `npm install` (or `npm run build`) in this clone first\n');
  process.exit(1);
}
const { main } = await import(cli.href);

main(process.argv).catch((error) => {
  process.stderr.write(`lanes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
