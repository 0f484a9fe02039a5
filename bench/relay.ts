/**
 * The baseline: the least a bridge could do. An MQTT.js subscriber that,
 * per message on `<prefix>/<deviceId>/set`, sends one undici POST of the
 * Kasa passthrough (V1, token in the body, like the bridge) to the
 * device's regional host. No queue, no parsing beyond ON/OFF, no state.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { request } from 'undici';
import type { SimEndpoints } from './config.js';

export const RELAY_PREFIX = 'bench-relay';

interface KasaEnvelope {
  error_code?: number;
  msg?: string;
  result?: { token?: string; deviceList?: { deviceId: string; appServerUrl: string }[] };
}

async function v1(url: string, method: string, params: Record<string, unknown>): Promise<NonNullable<KasaEnvelope['result']>> {
  const answer = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, params }),
  });
  const envelope = (await answer.body.json()) as KasaEnvelope;
  if (envelope.error_code !== 0 || !envelope.result) throw new Error(`relay: ${method} answered ${envelope.error_code}: ${envelope.msg}`);
  return envelope.result;
}

export class MinimalRelay {
  failures = 0;

  private constructor(
    private readonly client: MqttClient,
    private readonly token: string,
    private readonly hosts: Map<string, string>,
  ) {
    client.on('message', (topic, payload) => this.#relay(topic, payload));
  }

  static async start(brokerUrl: string, sim: SimEndpoints): Promise<MinimalRelay> {
    const login = await v1(sim.urls.kasa.url, 'login', {
      appType: 'Kasa_Android',
      cloudUserName: sim.username,
      cloudPassword: sim.password,
      terminalUUID: randomUUID(),
    });
    if (!login.token) throw new Error('relay: login gave no token');
    const list = await v1(sim.urls.kasa.url, 'getDeviceList', { token: login.token });
    const hosts = new Map((list.deviceList ?? []).map((device) => [device.deviceId, device.appServerUrl]));
    const client = await mqtt.connectAsync(brokerUrl, { clientId: `bench-relay-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 });
    await client.subscribeAsync(`${RELAY_PREFIX}/+/set`, { qos: 1 });
    return new MinimalRelay(client, login.token, hosts);
  }

  #relay(topic: string, payload: Buffer): void {
    const deviceId = topic.split('/')[1] ?? '';
    const host = this.hosts.get(deviceId);
    if (!host) {
      this.failures += 1;
      return;
    }
    const state = payload.toString('utf8') === 'ON' ? 1 : 0;
    const body = JSON.stringify({
      method: 'passthrough',
      params: { deviceId, requestData: { system: { set_relay_state: { state } } }, token: this.token },
    });
    request(host, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then((answer) => answer.body.dump())
      .catch(() => {
        this.failures += 1;
      });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
