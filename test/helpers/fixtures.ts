/**
 * Where the real-device fixtures are: TPCM_FIXTURES_DIR, else
 * ../shared/fixtures beside the repository. They are never copied into the
 * tree; tests that need them skip cleanly when they are absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fixturesDir(): string | undefined {
  const dir = process.env.TPCM_FIXTURES_DIR ?? join(repoRoot, '..', 'shared', 'fixtures');
  return existsSync(dir) ? dir : undefined;
}

/** Fixture files of one family ("kasa" or "tapo"), full paths, sorted. */
export function fixtureFiles(family: 'kasa' | 'tapo'): string[] {
  const dir = fixturesDir();
  if (!dir || !existsSync(join(dir, family))) return [];
  return readdirSync(join(dir, family))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, family, name));
}

export const hasFixtures = fixturesDir() !== undefined;
