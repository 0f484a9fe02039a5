/**
 * Per test file: a temporary directory of its own (TMPDIR, which the
 * processes it starts inherit too). Once the file's own afterAll hooks have
 * run, the folders made with test/helpers/temp.ts are removed, and the file
 * fails if anything else is left, naming what.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp.js';
import { TOOL_CACHES } from './temp-check.js';

const outer = tmpdir();
const dir = mkdtempSync(join(outer, 'file-'));
process.env.TMPDIR = dir;

afterAll(() => {
  removeTempDirs();
  process.env.TMPDIR = outer;
  const left = readdirSync(dir).filter((name) => !TOOL_CACHES.test(name));
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`this test file left ${left.length} item(s) in the temporary directory: ${left.sort().join(', ')} (make them with test/helpers/temp.ts, or remove them in afterAll)`);
  }
});
