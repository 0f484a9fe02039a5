/**
 * The bridge against a real external broker (mosquitto) that restarts:
 * it reconnects, resubscribes and republishes; QoS 1 `set` messages
 * published while it was disconnected are carried out after reconnect.
 * Each case has a mosquitto and a bridge of its own, so they run side by side.
 */
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../bridge/harness.js';
import { freePort, relayNodes, simPower, until } from './helpers.js';
import { hasMosquitto, mosquitto, type Mosquitto } from './mosquitto.js';

/** Runs `body` with a bridge on a mosquitto of its own. */
async function withBroker(persistence: boolean, body: (harness: Harness, broker: Mosquitto) => Promise<void>): Promise<void> {
  const broker = mosquitto(await freePort(), { persistence });
  let harness: Harness | undefined;
  try {
    await broker.start();
    harness = await startHarness({ config: { mqtt: { url: broker.url } } });
    await harness.waitForMessage('tplink/bridge/info');
    await body(harness, broker);
  } finally {
    await harness?.close();
    await broker.stop();
  }
}

/** Every retained message a newcomer gets on `tplink/#` and `homeassistant/#`. */
async function retainedNow(url: string): Promise<Map<string, string>> {
  const client = await mqtt.connectAsync(url, { clientId: `retained-${Math.random().toString(16).slice(2)}` });
  const retained = new Map<string, string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) retained.set(topic, payload.toString('utf8'));
  });
  await client.subscribeAsync(['tplink/#', 'homeassistant/#'], { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await client.endAsync();
  return retained;
}

describe.skipIf(!hasMosquitto).concurrent('external broker (mosquitto) restarts', () => {
  it('without persistence: reconnects, resubscribes and republishes every retained topic', () => withBroker(false, async (harness, mq) => {
    await mq.stop();
    await harness.waitFor(() => !harness.bridge.mqtt.connected, 5000, 'bridge disconnected');
    await mq.start();
    expect((await retainedNow(mq.url)).size).toBe(0); // the broker really lost everything
    await harness.waitFor(() => harness.bridge.mqtt.connected, 10_000, 'bridge reconnected');

    let retained = new Map<string, string>();
    // Everything the bridge republishes, in whatever order it does: bridge/info and bridge/devices
    // may come after the node topics (waiting only for those failed once on a clean clone).
    const complete = (): boolean =>
      retained.get('tplink/bridge/state') === '{"state":"online"}' &&
      retained.has('tplink/bridge/info') &&
      retained.has('tplink/bridge/devices') &&
      [...retained.keys()].some((topic) => topic.startsWith('homeassistant/device/')) &&
      harness.bridge.store.all().every((node) => retained.has(`tplink/${harness.nameOf(node.id)}`) && retained.get(`tplink/${harness.nameOf(node.id)}/availability`) === '{"state":"online"}');
    const deadline = Date.now() + 15_000;
    while (!complete() && Date.now() < deadline) retained = await retainedNow(mq.url);
    expect(complete(), `retained after the restart: ${[...retained.keys()].filter((topic) => topic.startsWith('tplink/bridge')).join(', ')}`).toBe(true);
    expect(retained.has('tplink/bridge/info')).toBe(true);
    expect(retained.has('tplink/bridge/devices')).toBe(true);
    expect([...retained.keys()].some((topic) => topic.startsWith('homeassistant/device/'))).toBe(true);

    // Resubscribed: a command after the restart is carried out.
    const plug = relayNodes(harness, 'kasa')[0];
    if (!plug) throw new Error('no plug');
    const wanted = simPower(harness.sim, plug) === 'ON' ? 'OFF' : 'ON';
    await harness.publish(`tplink/${harness.nameOf(plug.id)}/set`, wanted);
    await until(() => simPower(harness.sim, plug) === wanted, 5000, 'command after restart carried out');
  }));

  it('with persistence: QoS 1 sets published while the bridge was disconnected are carried out after reconnect', () => withBroker(true, async (harness, mq) => {
    const targets = relayNodes(harness, 'kasa').slice(0, 3);
    const wanted = new Map(targets.map((node) => [node.id, simPower(harness.sim, node) === 'ON' ? 'OFF' : 'ON']));

    // Restart the broker in the bridge's back-off pause, so the sets arrive while it is away.
    const secondAttempt = new Promise<void>((resolve) => {
      const onReconnecting = (delayMs: number): void => {
        if (delayMs < 2000) return;
        harness.bridge.mqtt.off('reconnecting', onReconnecting);
        resolve();
      };
      harness.bridge.mqtt.on('reconnecting', onReconnecting);
    });
    await mq.stop();
    await secondAttempt;
    await mq.start();
    const sender = await mqtt.connectAsync(mq.url, { clientId: `sender-${Math.random().toString(16).slice(2)}` });
    for (const node of targets) await sender.publishAsync(`tplink/${harness.nameOf(node.id)}/set`, wanted.get(node.id) ?? 'ON', { qos: 1 });
    await sender.endAsync();
    expect(harness.bridge.mqtt.connected).toBe(false);
    for (const node of targets) expect(simPower(harness.sim, node)).not.toBe(wanted.get(node.id));

    await harness.waitFor(() => harness.bridge.mqtt.connected, 10_000, 'bridge reconnected');
    await until(() => targets.every((node) => simPower(harness.sim, node) === wanted.get(node.id)), 5000, 'queued sets carried out');
  }));
});
