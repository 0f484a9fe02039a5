import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  // src/version.ts and dist/version.js both sit one level below the package root.
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const version = (parsed as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

export const VERSION = readVersion();
export const PACKAGE_NAME = 'tplink-cloud-mqtt';
export const SUPPORT_URL = 'https://github.com/tplink-cloud-mqtt/tplink-cloud-mqtt';
