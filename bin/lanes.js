#!/usr/bin/env node
// Thin shim: the CLI lives in actors/host/cli.ts, compiled to dist/ by `npm install`.
import { main } from '../dist/actors/host/cli.js';

main(process.argv).catch((error) => {
  process.stderr.write(`lanes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
