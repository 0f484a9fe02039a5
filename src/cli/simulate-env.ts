/**
 * `simulate --env`: starts the simulated cloud in the background and prints
 * shell lines that point the bridge at it, ready for
 * `eval "$(tplink-cloud-mqtt simulate --env)" && tplink-cloud-mqtt run`.
 *
 * The variables are not a list kept by hand: they are the settings that
 * `demo` changes to use a simulator (configForSimulator), each written as
 * the environment variable the schema gives it. A new setting the demo
 * needs (say, another Tapo login URL) shows up here by itself.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfig, type AppConfig } from '../config/load.js';
import { settingLeaves } from '../config/schema.js';
import type { SimulatorHandle } from './simulator.js';
import { configForSimulator } from './demo.js';
import { shellQuote } from './demo-hints.js';

/** The line `simulate --json` prints (kept loose: newer simulators may say more). */
const Printed = z.object({
  kasa: z.object({ url: z.string(), v2Url: z.string() }).loose(),
  tapo: z.object({ accountUrl: z.string() }).loose(),
  username: z.string(),
  password: z.string(),
});
type Printed = z.infer<typeof Printed>;

function valueAt(config: AppConfig, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
}

/**
 * Every environment variable pointing the bridge at a simulator, name ->
 * value, in schema order: the settings `demo` changes for it. The one list
 * `simulate --env` prints and the tests and scripts that start the CLI on a
 * simulator take.
 */
export function simulatorEnv(sim: Pick<SimulatorHandle, 'urls' | 'username' | 'password'>): Record<string, string> {
  const base = loadConfig({ args: [], env: {} });
  const pointed = configForSimulator(base, sim);
  return Object.fromEntries(
    settingLeaves().flatMap((leaf) => {
      const value = valueAt(pointed, leaf.path);
      const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
      if (leaf.env === undefined || value === valueAt(base, leaf.path) || !scalar) return [];
      return [[leaf.env, String(value)]];
    }),
  );
}

/** `export NAME=value` for every setting the simulator changes, in schema order. */
export function exportLines(printed: Printed): string[] {
  const sim = { urls: { kasa: printed.kasa, tapo: printed.tapo } as unknown as SimulatorHandle['urls'], username: printed.username, password: printed.password };
  return Object.entries(simulatorEnv(sim)).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
}

/** Starts `simulate` (without --env) as a detached process and prints what to eval; `args` are the simulator's own flags. */
export async function simulateEnv(args: readonly string[], out: { write(text: string): unknown } = process.stdout): Promise<number> {
  const rest = [...args];
  const script = process.argv[1] ?? '';
  // stderr stays the terminal's: the simulator's messages (a two-factor code) are shown there.
  const child = spawn(process.execPath, [...process.execArgv, script, 'simulate', ...rest], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    child.once('exit', () => resolve(undefined));
    child.once('error', () => resolve(undefined));
  });
  const printed = first === undefined ? undefined : Printed.safeParse(JSON.parse(first));
  if (!printed?.success) {
    child.kill('SIGTERM');
    throw new Error('simulate --env: the simulator did not start');
  }
  child.stdout.destroy();
  child.unref();
  out.write(
    [
      `# The simulated cloud runs in the background (pid ${child.pid}); stop it with: kill "$SIMULATOR_PID"`,
      `SIMULATOR_PID=${child.pid}`,
      ...exportLines(printed.data),
      '',
    ].join('\n'),
  );
  return 0;
}
