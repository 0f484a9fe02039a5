/**
 * Per test file: a temporary directory of its own (TMPDIR, which the
 * processes it starts inherit too), made when the file's tests start. Once
 * the file's own afterAll hooks have run, the folders made with
 * test/helpers/temp.ts are removed, and the file fails if anything else is
 * left, naming what. A file whose tests are all skipped (fixtures absent)
 * runs neither hook, so it gets no directory to leave behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp.js';
import { TOOL_CACHES } from './temp-check.js';

const outer = tmpdir();
let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(outer, 'file-'));
  process.env.TMPDIR = dir;
});

afterAll(() => {
  removeTempDirs();
  process.env.TMPDIR = outer;
  if (!dir) return;
  const left = readdirSync(dir).filter((name) => !TOOL_CACHES.test(name));
  rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  if (left.length > 0) {
    throw new Error(`this test file left ${left.length} item(s) in the temporary directory: ${left.sort().join(', ')} (make them with test/helpers/temp.ts, or remove them in afterAll)`);
  }
});
