#!/usr/bin/env node
// The package's command. It exists before the build, so `npm ci` links it into
// node_modules/.bin; it runs the compiled simulator (npm run build:simulator).
// From source, without building: npm run simulate -- [options]
import process from 'node:process';

import('../dist/bin.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('tplink-cloud-sim: not built yet: run `npm run build && npm run build:simulator` in the repository, or `npm run simulate -- [options]`\n');
  process.exitCode = 1;
});
