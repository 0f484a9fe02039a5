import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript source under this condition (package.json
// "exports"), so tests run the simulator and the protocol module from source, unbuilt.
const SOURCE_CONDITION = 'tplink-source';

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests open sockets; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
