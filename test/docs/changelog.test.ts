/**
 * CHANGELOG.md keeps the Keep a Changelog shape that tools and readers
 * expect, and package.json names the repository that Home Assistant's
 * discovery `origin.support_url` points at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUPPORT_URL } from '../../src/version.js';
import { ROOT } from '../helpers/cli.js';

const SECTIONS = ['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'];

describe('CHANGELOG.md', () => {
  const text = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');

  it('is a Keep a Changelog file with an Unreleased section first', () => {
    expect(text.startsWith('# Changelog\n')).toBe(true);
    expect(text).toContain('https://keepachangelog.com/');
    const releases = [...text.matchAll(/^## (.+)$/gm)].map((match) => match[1] ?? '');
    expect(releases[0]).toBe('[Unreleased]');
    for (const release of releases.slice(1)) expect(release).toMatch(/^\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
  });

  it('uses only the standard subsections, each with entries', () => {
    for (const block of text.split(/^## /m).slice(1)) {
      for (const part of block.split(/^### /m).slice(1)) {
        const [heading = '', ...body] = part.split('\n');
        expect(SECTIONS, `### ${heading}`).toContain(heading.trim());
        expect(body.some((line) => line.startsWith('- ')), `### ${heading} has entries`).toBe(true);
      }
    }
  });
});

describe('package.json', () => {
  it('names the repository, home page and issue tracker of origin.support_url', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string }; homepage: string; bugs: { url: string } };
    expect(pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')).toBe(SUPPORT_URL);
    expect(pkg.homepage.replace(/#readme$/, '')).toBe(SUPPORT_URL);
    expect(pkg.bugs.url).toBe(`${SUPPORT_URL}/issues`);
  });
});
