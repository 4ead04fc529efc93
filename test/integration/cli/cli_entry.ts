// `bin/lanes.js` for source runs (bin/ needs a build): the same main() through tsx, and the same
// one-line report for anything main() lets through.
import { main } from '../../../actors/host/cli.js';

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`lanes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
