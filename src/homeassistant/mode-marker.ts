/**
 * Which discovery mode the last run published, kept in the state directory:
 * when it differs from this run's, the other mode's retained configs are
 * cleared once. A fresh installation has no marker and nothing to clear.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Mode = 'device' | 'entity';
const FILE = 'discovery-mode.json';

export function previousDiscoveryMode(stateDir: string): Mode | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(stateDir, FILE), 'utf8')) as { mode?: unknown };
    return parsed.mode === 'device' || parsed.mode === 'entity' ? parsed.mode : undefined;
  } catch {
    return undefined;
  }
}

export function rememberDiscoveryMode(stateDir: string, mode: Mode): void {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(stateDir, FILE), JSON.stringify({ mode }), { mode: 0o600 });
  } catch {
    // Not fatal: the next start clears the other mode again.
  }
}
