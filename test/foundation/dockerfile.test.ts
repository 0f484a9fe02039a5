/**
 * No Docker engine runs here, so the image is checked by reading it: what
 * it copies exists, it runs as a non-root user with the state volume, its
 * HEALTHCHECK and ENTRYPOINT call commands the CLI has, every variable it
 * sets is a real setting, and production dependencies cover every runtime
 * import (the image installs with --omit=dev).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandSpec } from '../../src/cli/commands.js';
import { environmentVariables } from '../../src/config/load.js';
import { execForm, instructions, runtimeStage, stageEnv } from '../../scripts/dockerfile.js';
import { ROOT } from '../helpers/cli.js';

const dockerfile = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = runtimeStage(join(ROOT, 'Dockerfile'));
const of = (keyword: string) => runtime.filter((step) => step.keyword === keyword);

const envNames = (): Set<string> => new Set([...environmentVariables(), 'NODE_ENV']);

describe('Dockerfile', () => {
  it('runs as the unprivileged node user, with tokens in the /data volume', () => {
    const user = of('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(of('VOLUME').map((step) => step.args).join(' ')).toContain('/data');
    expect(stageEnv(runtime).TPCM_STATE_DIR).toBe('/data');
    expect(of('RUN').some((step) => /chown node:node \/data/.test(step.args))).toBe(true);
  });

  it('sets only variables the bridge knows, and documents the main ones', () => {
    const known = envNames();
    const set = Object.keys(stageEnv(runtime));
    expect(set.length).toBeGreaterThan(0);
    for (const name of set) expect(known, `ENV ${name}`).toContain(name);
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const documented = [...text.matchAll(/^#\s+([A-Z][A-Z0-9_]+)/gm)].map((match) => match[1] ?? '');
    for (const name of documented) expect(known, `documented ${name}`).toContain(name);
    for (const name of ['KASA_USERNAME', 'TAPO_USERNAME', 'TPCM_MQTT_URL', 'MQTT_USERNAME']) expect(documented).toContain(name);
  });

  it('health-checks with the CLI health command and starts the CLI', () => {
    const health = of('HEALTHCHECK')[0];
    expect(health?.args).toMatch(/--interval=\S+ .*--timeout=\S+ .*--start-period=\S+/);
    const check = execForm(health);
    expect(check.slice(0, 3)).toEqual(['node', 'dist/cli.js', 'health']);
    expect(commandSpec('health')).toBeDefined();
    const entry = execForm(of('ENTRYPOINT')[0]);
    expect(entry[0]).toBe('node');
    expect(entry.at(-1)).toBe('dist/cli.js');
    expect(commandSpec(execForm(of('CMD')[0])[0] ?? '')).toBeDefined();
    // tsconfig.build.json compiles src/ into dist/: src/cli.ts becomes dist/cli.js.
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);
  });

  it('copies only what exists in the repository and is not docker-ignored', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
    for (const step of dockerfile.filter((s) => s.keyword === 'COPY' && !s.args.startsWith('--from'))) {
      const sources = step.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(existsSync(join(ROOT, source)), `COPY ${source}`).toBe(true);
        expect(ignored, `COPY ${source} is in .dockerignore`).not.toContain(source);
      }
    }
  });

  it('uses a Node.js the package supports', () => {
    const image = dockerfile.find((step) => step.keyword === 'FROM')?.args ?? '';
    const major = Number(/node:(\d+)/.exec(image)?.[1]);
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(major).toBeGreaterThanOrEqual(Number(/>=\s*(\d+)/.exec(engines)?.[1]));
  });
});

describe('the simulated cloud stays out of the product', () => {
  it('is a development workspace that neither the image nor the npm package takes', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      files: string[];
      workspaces: string[];
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.workspaces).toContain('packages/*');
    expect(pkg.devDependencies['tplink-cloud-sim']).toBeDefined();
    expect(pkg.dependencies['tplink-cloud-sim']).toBeUndefined();
    // The npm package: compiled src/ and config/ only.
    expect(pkg.files.sort()).toEqual(['config', 'dist']);
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include).toEqual(['src']);
    // The image: packages/ is docker-ignored and never copied (its --omit=dev install skips the devDependency).
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    expect(ignored).toContain('packages');
    for (const step of dockerfile.filter((s) => s.keyword === 'COPY')) expect(step.args).not.toMatch(/packages/);
    expect(of('RUN').some((step) => /npm ci --omit=dev/.test(step.args))).toBe(true);
  });
});

describe('production dependencies', () => {
  it('cover every package the compiled code imports (the image installs with --omit=dev)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(ROOT, 'src', file), 'utf8');
      // Type-only imports vanish at compile time; every other bare specifier must resolve at run time.
      for (const match of text.matchAll(/^import (?!type )[^'"]*from '([^'.][^']*)'/gm)) {
        const specifier = match[1] ?? '';
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
        if (specifier.startsWith('node:') || builtins.has(name)) continue;
        if (!(name in pkg.dependencies)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
