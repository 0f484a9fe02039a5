/**
 * The module boundaries of ARCHITECTURE.md, enforced: every import in src/
 * and packages/simulator is read with TypeScript's own import scanner
 * (static, type-only, re-exports and literal dynamic imports alike) and
 * checked against the "may import" column of its table.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const SRC = join(ROOT, 'src');
const SIMULATOR = join(ROOT, 'packages', 'simulator');
const SIMULATOR_PACKAGE = 'tplink-cloud-sim';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
}

/** `clouds/kasa`, `runtime`, `logger`...: the module a file of src/ belongs to. */
function moduleOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  if (parts[0] === 'clouds') return `clouds/${parts[1]}`;
  return parts.length === 1 ? (parts[0] ?? '').replace(/\.ts$/, '') : (parts[0] ?? '');
}

/** ARCHITECTURE.md's table: module -> what it may import. */
function rules(): Map<string, Set<string>> {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const table = new Map<string, Set<string>>();
  const everything = new Set(files(SRC).map(moduleOf));
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1]?.startsWith('`')) continue;
    const names = [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => (match[1] ?? '').replace(/^src\//, '').replace(/\.ts$/, ''));
    const column = (cells[3] ?? '').replace(/\(.*?\)/g, '');
    let allowed: Set<string>;
    if (column === 'nothing') allowed = new Set();
    else if (column.startsWith('everything in `src`')) {
      const but = /but (\w+)/.exec(column)?.[1];
      allowed = new Set([...everything].filter((name) => name !== but));
    } else allowed = new Set(column.split(',').map((name) => name.trim()));
    for (const name of names) table.set(name, allowed);
  }
  return table;
}

describe('module boundaries (ARCHITECTURE.md)', () => {
  const table = rules();

  it('has a row for every module of src/', () => {
    for (const name of new Set(files(SRC).map(moduleOf))) expect(table.has(name), `ARCHITECTURE.md names ${name}`).toBe(true);
    for (const [name, allowed] of table) for (const target of allowed) if (target !== 'protocol' || name !== 'packages/simulator') expect(table.has(target), `${name} may import ${target}: a module`).toBe(true);
  });

  it('src/ imports only across the allowed boundaries', () => {
    const crossings = new Set<string>();
    for (const file of files(SRC)) {
      const from = moduleOf(file);
      for (const specifier of specifiers(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        expect(target.startsWith(`${SRC}/`), `${relative(ROOT, file)} imports ${specifier} from outside src/`).toBe(true);
        const to = moduleOf(target);
        if (to !== from && !table.get(from)?.has(to)) crossings.add(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
    expect([...crossings].sort()).toEqual([]);
  });

  it('nothing of the product loads the simulator but src/cli/simulator.ts, and that only by package name at run time', () => {
    const named: string[] = [];
    for (const file of files(SRC)) {
      const text = readFileSync(file, 'utf8');
      // As a string the code could import (prose in comments and help texts may name it).
      if (/['"`](tplink-cloud-sim|[./]*packages\/simulator)/.test(text)) named.push(relative(SRC, file));
      for (const specifier of specifiers(file)) expect(specifier, relative(SRC, file)).not.toMatch(/tplink-cloud-sim|packages\//);
    }
    expect(named).toEqual(['cli/simulator.ts']);
    for (const dir of ['examples', 'config']) {
      for (const file of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((name) => /\.(ts|js|json|ya?ml)$/.test(name))) {
        expect(readFileSync(join(ROOT, dir, file), 'utf8'), `${dir}/${file}`).not.toContain(SIMULATOR_PACKAGE);
      }
    }
  });

  it('the simulator imports nothing of the bridge but the protocol module, and only what its package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(SIMULATOR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    for (const file of [...files(join(SIMULATOR, 'src'))]) {
      for (const specifier of specifiers(file)) {
        const where = `${relative(ROOT, file)} imports ${specifier}`;
        if (specifier.startsWith('.')) {
          expect(resolve(dirname(file), specifier).startsWith(join(SIMULATOR, 'src')), where).toBe(true);
          continue;
        }
        if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
        if (specifier.startsWith('tplink-cloud-mqtt')) {
          expect(specifier, where).toBe('tplink-cloud-mqtt/protocol');
          continue;
        }
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
        expect(pkg.dependencies, where).toHaveProperty([name]);
      }
    }
    expect(existsSync(join(SRC, 'protocol', 'index.ts'))).toBe(true);
  });

  it('the protocol module imports nothing but Node.js', () => {
    for (const file of files(join(SRC, 'protocol'))) {
      for (const specifier of specifiers(file)) expect(specifier.startsWith('node:') || specifier.startsWith('./'), `${relative(SRC, file)}: ${specifier}`).toBe(true);
    }
  });
});
