#!/usr/bin/env node
/**
 * tplink-cloud-mqtt <command>: the process around cli/main.ts. Anything that
 * stops a command early was printed there as one line saying what to fix;
 * the process then ends at once with its status.
 */
import { cliMain } from './cli/main.js';

/** After a command finished, what may still keep the process alive (a retry's back-off timer, a socket) gets this long. */
const EXIT_GRACE_MS = 500;

void cliMain(process.argv.slice(2)).then(({ code, failed }) => {
  if (failed) process.exit(code);
  process.exitCode = code;
  // Normally the process ends here by itself; a pending retry timer once kept it alive 28 s
  // after SIGTERM (Docker kills at 10 s). Unref'd: it never delays a process that can end.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
