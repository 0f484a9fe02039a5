/**
 * Global setup: the command lines the tests start as processes (the bridge's
 * src/cli.ts, the simulator's bin), compiled to JavaScript once per run, so
 * each process starts on plain `node`: through tsx every start cost ~0.6 s
 * of CPU in its loader and in compiling the whole bridge again (dozens of
 * starts a run). Compiled file by file, not bundled: the lazy `import()` of
 * each command, the feature-module folders listed at start-up and the
 * simulator loaded as a package all work as from source.
 *
 * The tree mirrors src/ one level below the repository, as src/ and dist/
 * sit, so what a module reads beside itself (../package.json, ../../config)
 * is found; the simulator package and the bridge's `protocol` export are
 * reached by their package names, as npm's workspace links give them:
 *
 *   .test-build/                        src/**  as .js (package.json: type, exports ./protocol)
 *   .test-build/node_modules/tplink-cloud-sim/src/   packages/simulator/src/**  as .js
 *   .test-build/node_modules/tplink-cloud-mqtt -> ..
 *
 * Compiled on every run (and on every rerun in watch mode), so a test never
 * runs yesterday's code; a file is written only when its content changed, and
 * files whose source is gone are removed. Nothing goes to the temp directory.
 * At least one test still starts the command line from source through tsx
 * (test/foundation/cli.test.ts), as a checkout runs it.
 */
import { build, type OutputFile } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = resolve(import.meta.dirname, '../..');
/** Beside src/, gitignored and ignored by eslint. */
export const TEST_BUILD = join(ROOT, '.test-build');
const SIMULATOR = join(TEST_BUILD, 'node_modules', 'tplink-cloud-sim');

/** Each source tree and where its compiled files go. */
const TREES = [
  { source: join(ROOT, 'src'), out: TEST_BUILD },
  { source: join(ROOT, 'packages', 'simulator', 'src'), out: join(SIMULATOR, 'src') },
];

type Exports = Record<string, string | Record<string, string>>;

/**
 * A package's manifest for its compiled tree: its name and each export it
 * has from source (the `tplink-source` condition), as the compiled file.
 * `srcAt`: where that tree puts what the package keeps under src/.
 */
function compiledManifest(packageDir: string, srcAt: string): object {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string; exports: Exports };
  const exports: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const source = typeof target === 'string' ? undefined : target['tplink-source'];
    if (source) exports[subpath] = source.replace(/^\.\/src\//, srcAt).replace(/\.ts$/, '.js');
  }
  return { name: manifest.name, private: true, type: 'module', exports };
}

/** The package.json files that make node resolve the compiled trees by package name. */
const PACKAGES: Record<string, object> = {
  [join(TEST_BUILD, 'package.json')]: compiledManifest(ROOT, './'),
  [join(SIMULATOR, 'package.json')]: compiledManifest(join(ROOT, 'packages', 'simulator'), './src/'),
};
const SELF_LINK = join(TEST_BUILD, 'node_modules', 'tplink-cloud-mqtt');

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

function writeIfChanged(file: string, contents: Uint8Array | string): void {
  const wanted = Buffer.from(contents);
  try {
    if (readFileSync(file).equals(wanted)) return;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, wanted);
}

/** Compiled .js files under `dir` (not in node_modules) left from sources that are gone. */
function removeStale(dir: string, kept: Set<string>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') removeStale(path, kept);
    else if (entry.isFile() && entry.name.endsWith('.js') && !kept.has(path)) rmSync(path, { force: true });
  }
}

export async function buildTestCli(): Promise<void> {
  const outputs: OutputFile[] = [];
  for (const tree of TREES) {
    const result = await build({
      entryPoints: sources(tree.source),
      outdir: tree.out,
      outbase: tree.source,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    outputs.push(...result.outputFiles);
  }
  for (const file of outputs) writeIfChanged(file.path, file.contents);
  for (const [file, json] of Object.entries(PACKAGES)) writeIfChanged(file, `${JSON.stringify(json, null, 2)}\n`);
  const link = relative(dirname(SELF_LINK), TEST_BUILD);
  let current: string | undefined;
  try {
    current = readlinkSync(SELF_LINK);
  } catch {
    // not there yet
  }
  if (current !== link) {
    rmSync(SELF_LINK, { force: true, recursive: true });
    symlinkSync(link, SELF_LINK);
  }
  const kept = new Set(outputs.map((file) => file.path));
  removeStale(TEST_BUILD, kept);
  removeStale(join(SIMULATOR, 'src'), kept);
}

/** One build per run, whichever project's setup asks first (the root config and each project run this setup). */
const shared = globalThis as { tplinkTestCliBuild?: Promise<void> };

export default async function setup(project: TestProject): Promise<void> {
  project.onTestsRerun(async () => {
    shared.tplinkTestCliBuild = buildTestCli();
    await shared.tplinkTestCliBuild;
  });
  await (shared.tplinkTestCliBuild ??= buildTestCli());
}
