/**
 * A bridge in this process (same clock and event loop as the simulator and
 * the baseline relay) with an MQTT client that plays the user's side.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { Bridge } from '../src/runtime/bridge.js';
import type { DeviceNode } from '../src/model/node.js';
import { silentLogger } from '../src/logger.js';
import { benchConfig, endpointsOf, type BenchOverrides } from './config.js';
import type { BenchSimulator } from './sim.js';

export interface InProcessBridge {
  bridge: Bridge;
  brokerUrl: string;
  commander: MqttClient;
  /** `<base>/<name>/set` of a node. */
  setTopic(node: DeviceNode): string;
  close(): Promise<void>;
}

export async function startInProcessBridge(bench: BenchSimulator, overrides: BenchOverrides): Promise<InProcessBridge> {
  const config = benchConfig(endpointsOf(bench.sim), overrides);
  const bridge = new Bridge(config, silentLogger());
  await bridge.start();
  const brokerUrl = bridge.broker?.url;
  if (!brokerUrl) throw new Error('bench: the bridge has no embedded broker');
  const commander = await mqtt.connectAsync(brokerUrl, { clientId: `bench-commander-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 });
  return {
    bridge,
    brokerUrl,
    commander,
    setTopic: (node) => `${config.mqtt.baseTopic}/${bridge.names.nameOf(node.id) ?? node.id}/set`,
    close: async () => {
      await commander.endAsync(true);
      await bridge.stop();
    },
  };
}

/** Kasa devices with a plain relay (plugs, switches, dimmers): one passthrough per command, no batching window. */
export function kasaRelayDevices(nodes: DeviceNode[]): DeviceNode[] {
  return nodes.filter(
    (node) =>
      node.cloud === 'kasa' &&
      node.parentId === undefined &&
      node.online &&
      node.features?.state?.writable === true &&
      (node.kind === 'plug' || node.kind === 'switch' || node.kind === 'dimmer'),
  );
}

export function kasaDeviceId(node: DeviceNode): string {
  if (node.address.cloud !== 'kasa') throw new Error(`${node.id} is not a Kasa node`);
  return node.address.deviceId;
}

/** The relay state a recorded Kasa passthrough sets, if it is a set_relay_state. */
export function relayStateSet(body: unknown): number | undefined {
  const params = (body as { params?: { requestData?: unknown } } | undefined)?.params;
  const data = params?.requestData as { system?: { set_relay_state?: { state?: unknown } } } | undefined;
  const state = data?.system?.set_relay_state?.state;
  return typeof state === 'number' ? state : undefined;
}
