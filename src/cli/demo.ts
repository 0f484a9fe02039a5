/**
 * `tplink-cloud-mqtt demo`: the simulated cloud's built-in devices, the
 * embedded broker and the bridge in one process, wired to each other.
 *
 * Its state (the installation id) lives in one folder, `<stateDir>/demo`,
 * reused by every demo: on a persistent broker, repeated demos are one
 * bridge device in Home Assistant, not one more per run. The simulated
 * cloud's tokens are worthless after the demo, so they are removed on exit.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Bridge } from '../runtime/bridge.js';
import type { AppConfig } from '../config/load.js';
import type { Logger } from '../logger.js';
import { TokenStore } from '../clouds/common/token-store.js';
import { favourMemory, guardProcess, stopWithin, untilSignal } from './run.js';
import { brokerAddress, demoHints, selfCommand } from './demo-hints.js';
import { clearDemoTopics } from './demo-clean.js';
import { loadSimulator, type SimulatorHandle } from './simulator.js';

/** The bridge configuration that points at a running simulator. */
export function configForSimulator(config: AppConfig, sim: Pick<SimulatorHandle, 'urls' | 'username' | 'password'>): AppConfig {
  return {
    ...config,
    mqtt: { ...config.mqtt, url: config.mqtt.url },
    kasa: { ...config.kasa, enabled: true, username: sim.username, password: sim.password, url: sim.urls.kasa.url, v2Url: sim.urls.kasa.v2Url },
    tapo: {
      ...config.tapo,
      enabled: true,
      username: sim.username,
      password: sim.password,
      accountUrl: sim.urls.tapo.accountUrl,
      appServerUrl: sim.urls.tapo.appServerUrl,
      refreshUrl: sim.urls.tapo.refreshUrl,
    },
  };
}

/** The demo's own state folder: beside the real one, never the real one. */
export function demoStateDir(config: AppConfig): string {
  return join(config.stateDir, 'demo');
}

function forgetTokens(stateDir: string): void {
  const store = new TokenStore(stateDir);
  store.clearTokens('kasa');
  store.clearTokens('tapo');
}

export async function demoCommand(args: string[], config: AppConfig, logger: Logger): Promise<number> {
  const { values } = parseArgs({ args, options: { clean: { type: 'boolean' } }, strict: false, allowPositionals: true });
  const { startSimulator } = await loadSimulator('demo');
  favourMemory();
  guardProcess(logger);
  const stateDir = demoStateDir(config);
  // Tokens of an earlier demo's simulator would only be refused by this one.
  forgetTokens(stateDir);
  const sim = await startSimulator({ log: (line) => logger.info(`simulator: ${line}`) });
  const demoConfig = configForSimulator({ ...config, stateDir }, sim);
  const bridge = new Bridge(demoConfig, logger);
  try {
    await bridge.start();
  } catch (error) {
    await bridge.stop().catch(() => undefined);
    await sim.close();
    forgetTokens(stateDir);
    throw error;
  }
  const nodes = bridge.store.all();
  process.stdout.write(
    demoHints({
      config: demoConfig,
      broker: brokerAddress(demoConfig, bridge.broker?.port),
      nodes,
      nameOf: (id) => bridge.names.nameOf(id),
      deviceCount: bridge.store.size,
      self: selfCommand(),
    }),
  );
  await untilSignal(logger);
  const own = { names: nodes.flatMap((node) => bridge.names.nameOf(node.id) ?? []), ids: [...nodes.map((node) => node.id), bridge.id] };
  const code = await stopWithin(bridge, logger);
  await sim.close();
  forgetTokens(stateDir);
  // The embedded broker keeps nothing after the demo; an external one keeps retained topics.
  if (values.clean === true && demoConfig.mqtt.url !== '') {
    await clearDemoTopics(demoConfig, own, logger).catch((error: unknown) => logger.warn({ err: error }, 'demo --clean: could not clear the retained topics'));
  }
  return code;
}
