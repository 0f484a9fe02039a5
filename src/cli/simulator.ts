/**
 * The one place the bridge reaches the simulated cloud: `demo` and
 * `simulate` load the `tplink-cloud-sim` workspace package when they run.
 * It is a development package (packages/simulator, installed by `npm ci` in
 * a clone of the repository); the npm package and the Docker image do not
 * ship it, so nothing else of the bridge may import it.
 *
 * The specifier is a variable on purpose: the bridge compiles without the
 * simulator, so the shape it relies on is declared here, and
 * test/foundation/simulator-contract.test.ts checks the real package
 * against it at type-check time.
 */
import { UsageError } from './flags.js';

export const SIMULATOR_PACKAGE = 'tplink-cloud-sim';

/** What `demo` needs of a running simulator. */
export interface SimulatorHandle {
  urls: {
    kasa: { url: string; v2Url: string };
    tapo: { accountUrl: string; appServerUrl: string; refreshUrl: string };
  };
  username: string;
  password: string;
  close(): Promise<void>;
}

export interface SimulatorEntry {
  // Module exports are plain functions (properties), not methods bound to a `this`.
  startSimulator: (options: { log?: (line: string) => void }) => Promise<SimulatorHandle>;
}

export interface SimulatorCli {
  /** Parses the flags (help, one-line refusal with exit 2) and runs until SIGINT/SIGTERM. */
  simulatorMain: (args: string[], program: string) => Promise<number>;
}

const notInstalled = (command: string) =>
  new UsageError(
    `${command} needs the simulated cloud (the ${SIMULATOR_PACKAGE} package), which only a development install has: ` +
      'run `npm ci` in a clone of the repository, then `npm run demo`',
  );

async function load(specifier: string, command: string): Promise<unknown> {
  try {
    return (await import(specifier)) as unknown;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(SIMULATOR_PACKAGE)) throw notInstalled(command);
    throw error;
  }
}

export async function loadSimulator(command: string): Promise<SimulatorEntry> {
  const loaded = await load(SIMULATOR_PACKAGE, command);
  if (typeof (loaded as Partial<SimulatorEntry>).startSimulator !== 'function') throw notInstalled(command);
  return loaded as SimulatorEntry;
}

export async function loadSimulatorCli(command: string): Promise<SimulatorCli> {
  const loaded = await load(`${SIMULATOR_PACKAGE}/cli`, command);
  if (typeof (loaded as Partial<SimulatorCli>).simulatorMain !== 'function') throw notInstalled(command);
  return loaded as SimulatorCli;
}
