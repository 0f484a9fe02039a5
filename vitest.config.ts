import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript source under this condition (package.json
// "exports"), so tests run the simulator and the protocol module from source, unbuilt.
const SOURCE_CONDITION = 'tplink-source';
const CONDITIONS = [SOURCE_CONDITION, 'module', 'node', 'development|production'];

/**
 * Tiers (npm run test:unit / test:integration / test:docs; `npm test` runs all three).
 * unit: pure code, no sockets or processes, seconds in all. docs: README and examples
 * checked against the code and run against the demo. integration: everything else (the
 * bridge, clients, broker and CLI over real sockets and processes); a new test file lands
 * there unless listed below.
 */
const UNIT = [
  'test/architecture/**/*.test.ts',
  'test/commands/**/*.test.ts',
  'test/devices/energy-stats.test.ts',
  'test/devices/kasa*.test.ts',
  'test/devices/tapo*.test.ts',
  'test/homeassistant/**/*.test.ts',
  'test/mqtt/topics.test.ts',
  'test/mqtt/api.test.ts',
  'test/cloud/parsing.test.ts',
  'test/cloud/rate-limit.test.ts',
  'test/cloud/retry.test.ts',
  'test/cloud/session.test.ts',
  'test/cloud/token-store.test.ts',
  'test/foundation/config.test.ts',
  'test/foundation/dockerfile.test.ts',
  'test/foundation/hints.test.ts',
  'test/foundation/logger.test.ts',
];
const DOCS = ['test/docs/**/*.test.ts', 'test/examples/**/*.test.ts'];
const ALL = ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: CONDITIONS },
  ssr: { resolve: { conditions: CONDITIONS } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests open sockets; two cores, so keep parallelism modest. Measured whole runs
    // (vitest alone, load 8-10 from other work): 3 workers 173/149 s against 183/141 s for 2, and a
    // cloud-faults case failed for contention; pool 'threads' 158/119 s against 183/115 s for forks,
    // the same CPU. Neither is a clear win, so two forked workers stay.
    maxWorkers: 2,
    // One module graph per worker instead of one per file: importing the bridge and the
    // simulator afresh for each of ~100 files cost ~35 s of a ~140 s run. Tests therefore
    // must not depend on module state another file left (each builds its own bridge).
    isolate: false,
    globalSetup: ['test/setup/temp-check.ts', 'test/setup/cli-build.ts'],
    setupFiles: ['test/setup/temp-cleanup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'docs', include: DOCS } },
      { extends: true, test: { name: 'integration', include: ALL, exclude: [...UNIT, ...DOCS] } },
    ],
  },
});
