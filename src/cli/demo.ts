/**
 * `tplink-cloud-mqtt demo`: the simulated cloud's built-in devices, the
 * embedded broker and the bridge in one process, wired to each other.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bridge } from '../runtime/bridge.js';
import type { AppConfig } from '../config/load.js';
import type { Logger } from '../logger.js';
import { favourMemory, guardProcess, stopWithin, untilSignal } from './run.js';
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

export async function demoCommand(_args: string[], config: AppConfig, logger: Logger): Promise<number> {
  const { startSimulator } = await loadSimulator('demo');
  favourMemory();
  guardProcess(logger);
  const sim = await startSimulator({ log: (line) => logger.info(`simulator: ${line}`) });
  const demoConfig = configForSimulator(
    { ...config, stateDir: mkdtempSync(join(tmpdir(), 'tplink-cloud-mqtt-demo-')), poll: { ...config.poll, intervalS: Math.min(config.poll.intervalS, 10) } },
    sim,
  );
  const bridge = new Bridge(demoConfig, logger);
  await bridge.start();
  const base = demoConfig.mqtt.baseTopic;
  const broker = bridge.broker ? `-h ${bridge.broker.url.replace(/^mqtt:\/\//, '').replace(/:(\d+)$/, ' -p $1')}` : '';
  const topicOf = (wanted: (node: (typeof nodes)[number]) => boolean) => {
    const found = nodes.find(wanted);
    return (found && bridge.names.nameOf(found.id)) ?? '<name>';
  };
  const nodes = bridge.store.all();
  const name = topicOf((node) => node.kind === 'plug');
  const bulb = topicOf((node) => node.features !== undefined && 'brightness' in node.features && node.kind === 'bulb');
  const outlet = topicOf((node) => node.kind === 'outlet');
  process.stdout.write(`
Demo running: ${bridge.store.size} simulated devices and outlets on MQTT.

  Watch everything:   mosquitto_sub ${broker} -t '${base}/#' -v
  Switch a device:    mosquitto_pub ${broker} -t '${base}/${name}/set' -m 'TOGGLE'
  Switch an outlet:   mosquitto_pub ${broker} -t '${base}/${outlet}/set' -m 'OFF'
  Dim a bulb:         mosquitto_pub ${broker} -t '${base}/${bulb}/set' -m '{"state":"ON","brightness":40}'
  Ask for a refresh:  mosquitto_pub ${broker} -t '${base}/bridge/request/refresh' -m '{"transaction":1}'
  Device list:        mosquitto_sub ${broker} -t '${base}/bridge/devices' -C 1
  Health:             node dist/cli.js health ${bridge.broker ? `--embedded-broker-port ${bridge.broker.port}` : `--mqtt-url ${demoConfig.mqtt.url.replace(/\/\/[^@/]*@/, '//')}`}

Press Ctrl+C to stop.
`);
  await untilSignal(logger);
  const code = await stopWithin(bridge, logger);
  await sim.close();
  return code;
}
