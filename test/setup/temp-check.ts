/**
 * Global setup: the whole run gets a temporary directory of its own
 * (TMPDIR, inherited by the test workers), so what the tests leave is told
 * apart from what other programs on the machine write; each test file gets
 * one inside it (temp-cleanup.ts), which fails the file that leaves
 * something. Whatever is left here at the end fails the run; the directory
 * is removed either way.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Caches of the tools the tests run (tsx compiles into <tmp>/tsx-<uid>): not test leftovers. */
export const TOOL_CACHES = /^tsx-\d+$/;

/** Set while a run's directory is in place: the root config and each project run this setup, once is enough. */
const MARK = 'TPCM_TEST_TMPDIR';

export default function setup(): () => void {
  if (process.env[MARK]) return () => undefined;
  const outer = tmpdir();
  const dir = mkdtempSync(join(outer, 'tplink-cloud-mqtt-tests-'));
  process.env.TMPDIR = dir;
  process.env[MARK] = dir;
  return () => {
    process.env.TMPDIR = outer;
    delete process.env[MARK];
    const left = readdirSync(dir).filter((name) => !TOOL_CACHES.test(name));
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      // A teardown error alone is printed but does not change vitest's exit status.
      process.exitCode = 1;
      throw new Error(`the tests left ${left.length} item(s) in the temporary directory (use test/helpers/temp.ts, or remove them in afterAll): ${left.sort().join(', ')}`);
    }
  };
}
