/**
 * Waiting for a bridge run as a process: its retained `bridge/info`, read
 * by an MQTT client in the test, instead of a CLI process per look.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { BridgeInfo } from '../../src/runtime/api.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the bridge's retained `bridge/info` (on the broker at `url`) satisfies `check`, as
 * an MQTT client sees it: no process per look. Gives up when `gone` says the bridge ended, or after 20 s.
 */
export async function untilInfo(url: string, check: (info: BridgeInfo) => boolean, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  let client: MqttClient | undefined;
  // The bridge's embedded broker may not listen yet.
  while (!client) {
    if (gone() || Date.now() > deadline) throw new Error(`no broker at ${url}`);
    client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1_000 }).catch(() => undefined);
    if (!client) await sleep(100);
  }
  let latest: BridgeInfo | undefined;
  client.on('message', (_topic, payload) => (latest = BridgeInfo.parse(JSON.parse(payload.toString('utf8')))));
  try {
    await client.subscribeAsync('tplink/bridge/info');
    while (!latest || !check(latest)) {
      if (gone() || Date.now() > deadline) throw new Error(`bridge/info never showed it; last: ${JSON.stringify(latest)}`);
      await sleep(50);
    }
  } finally {
    await client.endAsync(true);
  }
}
