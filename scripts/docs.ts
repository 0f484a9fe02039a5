/** Rewrites README.md's generated sections (configuration table, device families). */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderReadme } from './readme-sections.js';

const file = new URL('../README.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = await renderReadme(before);
if (after === before) {
  console.log('README.md generated sections are up to date');
} else {
  writeFileSync(file, after);
  console.log('README.md generated sections rewritten');
}
