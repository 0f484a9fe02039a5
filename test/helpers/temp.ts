/**
 * Temporary folders for tests: state dirs with (simulated) tokens, config
 * files, broker configs. Each is removed after its test file
 * (test/setup/temp-cleanup.ts), and the run fails if anything is left
 * (test/setup/temp-check.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();

export function tempDir(prefix = 'tpcm-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes every folder tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}
