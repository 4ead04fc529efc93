// `bin/lanes.js` for source runs: the same main(), loaded through tsx (bin/ needs a build).
import { main } from '../../../actors/host/cli.js';

await main(process.argv);
