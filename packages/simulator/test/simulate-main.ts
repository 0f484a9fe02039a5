/** Stand-in for the main CLI's `simulate` subcommand, so the test can run it as a process. */
import { simulateCommand } from '../../src/simulator/cli.js';

await simulateCommand(process.argv.slice(2));
