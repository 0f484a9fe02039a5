import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { bridgeDiscovery, discoveryMessages } from '../../src/homeassistant/discovery.js';
import { HealthResponse } from '../../src/runtime/api.js';
import { testHarness, WAIT_MS, type Harness, type OnTestFinished } from './harness.js';

const discoveryCount = (harness: Harness) => harness.messages.filter((message) => message.topic.endsWith('/config') && message.payload !== '').length;

describe.concurrent('bridge lifecycle', () => {
  it('answers bridge requests with the transaction echoed', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    harness.sim.clearRequests();
    await harness.publish('tplink/bridge/request/refresh', JSON.stringify({ transaction: 'abc-1' }));
    const refresh = await harness.waitForMessage('tplink/bridge/response/refresh');
    expect(JSON.parse(refresh.payload)).toMatchObject({ status: 'ok', transaction: 'abc-1', data: { device_count: harness.bridge.store.size } });
    expect(harness.sim.requests.some((request) => request.api === 'getDeviceList')).toBe(true);
    expect(harness.sim.requests.some((request) => request.api === 'shadows.get')).toBe(true);

    await harness.publish('tplink/bridge/request/health_check', '');
    const health = await harness.waitForMessage('tplink/bridge/response/health_check');
    expect(JSON.parse(health.payload)).toMatchObject({ status: 'ok', data: { healthy: true, mqtt: true } });
    expect(HealthResponse.parse(JSON.parse(health.payload)).transaction).toBeUndefined();

    await harness.publish('tplink/bridge/request/nonsense', '{"transaction":7}');
    const unknown = await harness.waitForMessage('tplink/bridge/response/nonsense');
    expect(JSON.parse(unknown.payload)).toMatchObject({ status: 'error', transaction: 7, error: expect.stringContaining('unknown request') });

    // A huge unknown key is neither echoed whole in the error nor used as a response topic.
    const huge = 'k'.repeat(60_000);
    await harness.publish(`tplink/bridge/request/${huge}`, '{"transaction":8}');
    const clipped = await harness.waitForMessage('tplink/bridge/response/invalid_key');
    expect(JSON.parse(clipped.payload)).toMatchObject({ status: 'error', transaction: 8 });
    expect(clipped.payload.length).toBeLessThan(1000);
    expect(harness.messages.some((message) => message.topic.startsWith('tplink/bridge/response/') && message.topic.length > 1000)).toBe(false);

    // A command topic without a device name gets an answer too.
    await harness.publish('tplink//set', 'ON');
    const rejected = await harness.waitForMessage('tplink/bridge/event', (payload) => payload.includes('command_rejected'));
    expect(JSON.parse(rejected.payload)).toMatchObject({ type: 'command_rejected', data: { reason: expect.stringContaining('tplink//set') } });
  });

  it("republishes discovery and state on Home Assistant's birth message", async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    await harness.waitForMessage('tplink/bridge/info');
    // Every discovery config the bridge holds (its own and each node's), counted by topic: on a
    // loaded machine some retained ones may still be on their way when the test starts.
    const options = harness.bridge.publisher.discoveryOptions();
    const configTopics = [...bridgeDiscovery(options), ...discoveryMessages(harness.bridge.store.all(), options)].map((message) => message.topic);
    const configsSince = (from: number) => new Set(harness.messages.slice(from).filter((message) => message.topic.endsWith('/config') && message.payload !== '').map((message) => message.topic));
    await harness.waitFor(() => configTopics.every((topic) => configsSince(0).has(topic)), WAIT_MS, 'every discovery config');
    const from = harness.messages.length;
    const lamp = harness.bridge.store.all().find((node) => node.name === 'Hall Lamp');
    const stateTopic = `tplink/${harness.nameOf(lamp?.id ?? '')}`;
    await harness.publish('homeassistant/status', 'online');
    await harness.waitFor(() => configTopics.every((topic) => configsSince(from).has(topic)), WAIT_MS, 'discovery republished');
    await harness.waitFor(() => harness.messages.slice(from).some((message) => message.topic === stateTopic), WAIT_MS, 'state republished');
    const before = discoveryCount(harness);
    await harness.publish('homeassistant/status', 'offline');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(discoveryCount(harness)).toBe(before);
  });

  it('removes a device that left the account: discovery and retained topics cleared, event sent', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const strip = harness.bridge.store.all().find((node) => node.name === 'Media Strip');
    if (!strip || strip.address.cloud !== 'kasa') throw new Error('no Media Strip');
    const outlets = harness.bridge.store.childrenOf(strip.id);
    expect(outlets).toHaveLength(3);
    const names = [strip, ...outlets].map((node) => harness.nameOf(node.id));
    harness.sim.removeDevice(strip.address.deviceId);
    await harness.bridge.poller.readLists();
    await harness.waitForMessage('tplink/bridge/event', (payload) => payload.includes('device_removed') && payload.includes(strip.id));
    for (const node of [strip, ...outlets]) {
      await harness.waitForMessage(`homeassistant/device/${node.id}/config`, (payload) => payload === '');
      expect(harness.bridge.store.get(node.id)).toBeUndefined();
    }
    for (const name of names) {
      await harness.waitFor(() => harness.last(`tplink/${name}`) === '' && harness.last(`tplink/${name}/availability`) === '', WAIT_MS, `${name} cleared`);
    }
    const listed = () => (harness.lastJson<Array<{ id: string }>>('tplink/bridge/devices') ?? []).some((device) => device.id === strip.id);
    await harness.waitFor(() => !listed(), WAIT_MS, 'bridge/devices without the strip');
  });

  it('marks a device offline from the cloud status and back online', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const plug = harness.bridge.store.all().find((node) => node.name === 'Coffee Maker');
    if (!plug || plug.address.cloud !== 'tapo') throw new Error('no Coffee Maker');
    const topic = `tplink/${harness.nameOf(plug.id)}/availability`;
    harness.sim.setOnline(plug.address.thingName, false);
    await harness.bridge.poller.readLists();
    await harness.bridge.poller.readStates();
    await harness.waitFor(() => harness.lastJson(topic)?.state === 'offline', WAIT_MS, 'offline');
    harness.sim.setOnline(plug.address.thingName, true);
    await harness.bridge.poller.readLists();
    await harness.bridge.poller.readStates();
    await harness.waitFor(() => harness.lastJson(topic)?.state === 'online', WAIT_MS, 'online again');
  });

  it('keeps set messages sent while it was disconnected and carries them out after reconnecting', async ({ onTestFinished }) => {
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    const proxy = await startSwitchableProxy(broker.port);
    onTestFinished(async () => {
      await proxy.close();
      await broker.close();
    });
    const bridgeHarness = await testHarness(onTestFinished, { config: { mqtt: { url: proxy.url } } });
    const harness = await observerOnBroker(bridgeHarness, broker, onTestFinished);
    const plug = harness.bridge.store.all().find((node) => node.name === 'Porch Light');
    if (!plug || plug.address.cloud !== 'kasa') throw new Error('no Porch Light');
    const deviceId = plug.address.deviceId;
    const wasOn = harness.sim.deviceState(deviceId)?.relay_state === 1;
    const connects = harness.messages.filter((message) => message.topic === 'tplink/bridge/state').length;

    proxy.down();
    await harness.waitFor(() => !harness.bridge.mqtt.connected, WAIT_MS, 'bridge disconnected');
    await harness.publish(`tplink/${harness.nameOf(plug.id)}/set`, wasOn ? 'OFF' : 'ON', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(harness.sim.deviceState(deviceId)?.relay_state).toBe(wasOn ? 1 : 0);

    proxy.up();
    await harness.waitFor(() => harness.bridge.mqtt.connected, 10_000, 'bridge reconnected');
    await harness.waitFor(() => harness.sim.deviceState(deviceId)?.relay_state === (wasOn ? 0 : 1), WAIT_MS, 'queued set carried out');
    // Reconnect republishes: online again.
    await harness.waitFor(() => harness.messages.filter((message) => message.topic === 'tplink/bridge/state').length > connects, WAIT_MS, 'online republished');
  }, 30_000);

  it('after the broker restarts (session and retained messages lost) resubscribes and republishes everything', async ({ onTestFinished }) => {
    let broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    const port = broker.port;
    onTestFinished(async () => broker.close());
    const harness = await testHarness(onTestFinished, { config: { mqtt: { url: broker.url } } });
    const plug = harness.bridge.store.all().find((node) => node.name === 'Hall Lamp');
    if (!plug || plug.address.cloud !== 'kasa') throw new Error('no Hall Lamp');

    await broker.close();
    await harness.waitFor(() => !harness.bridge.mqtt.connected, WAIT_MS, 'bridge disconnected');
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port, logger: silentLogger() });
    await harness.waitFor(() => harness.bridge.mqtt.connected, 15_000, 'bridge reconnected');

    // A fresh observer on the new broker sees everything again, retained, republished by the bridge.
    const mqtt = await import('mqtt');
    const observer = await mqtt.connectAsync(broker.url, { clientId: `after-restart-${Date.now()}` });
    onTestFinished(async () => {
      await observer.endAsync(true);
    });
    const seen = new Map<string, string>();
    observer.on('message', (topic, payload) => seen.set(topic, payload.toString('utf8')));
    await observer.subscribeAsync('#', { qos: 1 });
    const name = harness.nameOf(plug.id);
    await harness.waitFor(() => seen.has(`homeassistant/device/${plug.id}/config`) && seen.has(`tplink/${name}`) && seen.get('tplink/bridge/state') === '{"state":"online"}', WAIT_MS, 'republished');

    const deviceId = plug.address.deviceId;
    const wasOn = harness.sim.deviceState(deviceId)?.relay_state === 1;
    await observer.publishAsync(`tplink/${name}/set`, wasOn ? 'OFF' : 'ON', { qos: 1 });
    await harness.waitFor(() => harness.sim.deviceState(deviceId)?.relay_state === (wasOn ? 0 : 1), WAIT_MS, 'command after resubscribe');
  }, 30_000);
});

/** The harness observer connects to the bridge's URL; here it must talk to the broker directly. */
async function observerOnBroker(harness: Harness, broker: EmbeddedBroker, onTestFinished: OnTestFinished): Promise<Harness> {
  const mqtt = await import('mqtt');
  const client = await mqtt.connectAsync(broker.url, { clientId: `direct-${Date.now()}` });
  client.on('message', (topic, payload, packet) => {
    harness.messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() });
  });
  await client.subscribeAsync('#', { qos: 1 });
  onTestFinished(async () => {
    await client.endAsync(true);
  });
  return {
    ...harness,
    client,
    publish: async (topic, payload, options = {}) => {
      await client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
    },
  };
}

/** A TCP proxy on a fixed port that can refuse connections for a while, as a network outage would. */
async function startSwitchableProxy(targetPort: number): Promise<{ url: string; down(): void; up(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepting = true;
  const server = net.createServer((inbound) => {
    if (!accepting) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(targetPort, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    down: () => {
      accepting = false;
      for (const socket of sockets) socket.destroy();
    },
    up: () => {
      accepting = true;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.concurrent('renames', () => {
  it('moves a renamed device to its new topic at the next list read and clears the old one', async ({ onTestFinished }) => {
    const harness = await testHarness(onTestFinished);
    const plug = harness.bridge.store.all().find((node) => node.name === 'Hall Lamp');
    if (!plug || plug.address.cloud !== 'kasa') throw new Error('no Hall Lamp');
    const oldName = harness.nameOf(plug.id);
    const deviceId = plug.address.deviceId;
    harness.sim.setDeviceState(deviceId, { alias: 'Garden Pump' });
    await harness.bridge.poller.readLists();
    await harness.waitFor(() => harness.bridge.names.nameOf(plug.id) === 'garden_pump', WAIT_MS, 'new topic name');
    await harness.waitFor(() => harness.last(`tplink/${oldName}`) === '' && harness.last(`tplink/${oldName}/availability`) === '', WAIT_MS, 'old topics cleared');
    await harness.waitFor(() => harness.lastJson('tplink/garden_pump') !== undefined, WAIT_MS, 'state on the new topic');
    harness.sim.clearRequests();
    await harness.publish('tplink/garden_pump/set', 'ON');
    await harness.waitFor(() => harness.sim.requests.some((request) => request.api === 'passthrough' && request.deviceId === deviceId), WAIT_MS, 'command by the new name');
  });
});
