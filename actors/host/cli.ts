// `lanes` command line. `lanes start` brings up what exists so far and says what it did.
import { Command } from 'commander';
import { logger } from '../logger.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('lanes').description('A Kafka-compatible message broker for Node.js, built around consumer groups.');
  program
    .command('start')
    .description('start the broker')
    .option('--data-dir <dir>', 'where durable data lives', process.env.LANES_DATA_DIR ?? 'lanes-data')
    .action(async (options: { dataDir: string }) => {
      logger.info({ dataDir: options.dataDir }, 'lanes: nothing to serve yet (foundation build)');
    });
  await program.parseAsync(argv);
}
