/** Rewrites README.md's configuration table from the settings schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from '../src/config-docs.js';

const file = new URL('../README.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = withConfigTable(before);
if (after === before) {
  console.log('README.md configuration table is up to date');
} else {
  writeFileSync(file, after);
  console.log('README.md configuration table rewritten');
}
