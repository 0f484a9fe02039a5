import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { Writable } from 'node:stream';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { MqttConnection, backoffDelay, isPublishableTopic, type ConnectInfo } from '../../src/mqtt/client.js';
import { createLogger, silentLogger, SecretRegistry } from '../../src/logger.js';
import { once, startProxy, waitFor, type Proxy } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function broker(port = 0): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ host: '127.0.0.1', port, logger: silentLogger() });
  cleanups.push(() => b.close());
  return b;
}

async function proxy(port: number): Promise<Proxy> {
  const p = await startProxy(port);
  cleanups.push(() => p.close());
  return p;
}

async function bridge(url: string, clientId = 'bridge-test', extra: Partial<Parameters<typeof MqttConnection.connect>[0]> = {}) {
  const c = await MqttConnection.connect({
    url,
    clientId,
    rejectUnauthorized: true,
    keepaliveS: 30,
    will: { topic: 'tp/bridge/state', payload: '{"state":"offline"}', retain: true, qos: 1 },
    logger: silentLogger(),
    reconnect: { minMs: 20, maxMs: 200 },
    ...extra,
  });
  cleanups.push(() => c.end());
  return c;
}

async function observer(url: string, topics: string[]): Promise<{ client: MqttClient; messages: [string, string][] }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  const messages: [string, string][] = [];
  client.on('message', (t, p) => messages.push([t, p.toString()]));
  if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
  return { client, messages };
}

describe('MqttConnection', () => {
  it('connects, subscribes at QoS 1, publishes and receives', async () => {
    const b = await broker();
    const c = await bridge(b.url);
    expect(c.connected).toBe(true);
    await c.subscribe(['tp/+/set']);
    const obs = await observer(b.url, ['tp/out']);
    const got = once<[string, Buffer]>(c, 'message');
    await obs.client.publishAsync('tp/lamp/set', 'ON', { qos: 1 });
    const [topic, payload] = await got;
    expect(topic).toBe('tp/lamp/set');
    expect(payload.toString()).toBe('ON');
    await c.publish('tp/out', Buffer.from('x'), { qos: 1 });
    await waitFor(() => obs.messages.length === 1);
    expect(obs.messages[0]).toEqual(['tp/out', 'x']);
  });

  it('refuses to publish to wildcard or empty topics', async () => {
    const b = await broker();
    const c = await bridge(b.url);
    await expect(c.publish('tp/+/x', 'a')).rejects.toThrow(/invalid topic/);
    await expect(c.publish('tp/#', 'a')).rejects.toThrow(/invalid topic/);
    await expect(c.publish('', 'a')).rejects.toThrow(/invalid topic/);
    expect(c.connected).toBe(true); // nothing was sent: the broker did not drop us
    expect(isPublishableTopic('tp/a b/c')).toBe(true);
  });

  it('delivers the last will when the connection drops', async () => {
    const b = await broker();
    const p = await proxy(b.port);
    const obs = await observer(b.url, ['tp/bridge/state']);
    const c = await bridge(p.url, 'will-test');
    await c.publish('tp/bridge/state', '{"state":"online"}', { qos: 1, retain: true });
    await waitFor(() => obs.messages.length === 1);
    p.cut();
    await waitFor(() => obs.messages.length === 2);
    expect(obs.messages[1]).toEqual(['tp/bridge/state', '{"state":"offline"}']);
  });

  it('gets QoS 1 messages sent while it was disconnected (persistent session)', async () => {
    const b = await broker();
    const p = await proxy(b.port);
    const pub = await observer(b.url, []);
    await pub.client.publishAsync('tp/old/set', 'STALE', { qos: 1, retain: true });
    const c = await bridge(p.url, 'persist-test', { reconnect: { minMs: 300, maxMs: 300 } });
    const all: [string, boolean][] = [];
    c.on('message', (_t, payload, retained) => all.push([payload.toString(), retained]));
    await c.subscribe(['tp/+/set']);
    await waitFor(() => all.length === 1);
    expect(all).toEqual([['STALE', true]]);
    const received: string[] = [];
    c.on('message', (_t, payload) => received.push(payload.toString()));

    const offline = once(c, 'offline');
    p.cut();
    await offline;
    expect(c.connected).toBe(false);
    await pub.client.publishAsync('tp/lamp/set', 'OFF', { qos: 1 });
    expect(received).toEqual([]);
    const [info] = await once<[ConnectInfo]>(c, 'connect');
    expect(info).toEqual({ sessionPresent: true, reconnect: true });
    await waitFor(() => received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Session kept: no re-subscribe, so the retained command is not replayed.
    expect(received).toEqual(['OFF']);
    expect(all).toEqual([['STALE', true], ['OFF', false]]);
  });

  it('resubscribes after the broker restarts and lost the session', async () => {
    const b1 = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    const port = b1.port;
    const c = await bridge(b1.url, 'restart-test');
    await c.subscribe(['tp/+/set']);
    const offline = once(c, 'offline');
    await b1.close();
    await offline;
    // Subscribed while offline: must be sent on the next connect too.
    await c.subscribe(['tp/+/get']);
    const reconnected = once<[ConnectInfo]>(c, 'connect');
    const b2 = await broker(port);
    const [info] = await reconnected;
    expect(info).toEqual({ sessionPresent: false, reconnect: true });
    const received: string[] = [];
    c.on('message', (topic) => received.push(topic));
    const pub = await observer(b2.url, []);
    await pub.client.publishAsync('tp/lamp/set', 'ON', { qos: 1 });
    await pub.client.publishAsync('tp/lamp/get', '', { qos: 1 });
    await waitFor(() => received.length === 2);
    expect(received.sort()).toEqual(['tp/lamp/get', 'tp/lamp/set']);
  });

  it('backs off exponentially while the broker is down and resets after a connect', async () => {
    const b1 = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    const port = b1.port;
    const c = await bridge(b1.url, 'backoff-test', { reconnect: { minMs: 10, maxMs: 80 } });
    const delays: number[] = [];
    c.on('reconnecting', (d) => delays.push(d));
    await b1.close();
    await waitFor(() => delays.length >= 6);
    expect(delays.slice(0, 6)).toEqual([10, 20, 40, 80, 80, 80]);
    const b2 = await startEmbeddedBroker({ host: '127.0.0.1', port, logger: silentLogger() });
    await once(c, 'connect');
    expect(c.connected).toBe(true);
    delays.length = 0;
    await b2.close();
    await waitFor(() => delays.length >= 2);
    expect(delays.slice(0, 2)).toEqual([10, 20]); // reset by the successful connect
    expect(backoffDelay(0, 1000, 30_000)).toBe(1000);
    expect(backoffDelay(5, 1000, 30_000)).toBe(30_000);
    expect(backoffDelay(1000, 1000, 30_000)).toBe(30_000);
  });

  it('rejects at startup on bad credentials, and when the broker never comes up', async () => {
    const b = await startEmbeddedBroker({ port: 0, username: 'u', password: 'right-password', logger: silentLogger() });
    cleanups.push(() => b.close());
    await expect(bridge(b.url, 'auth-test', { username: 'u', password: 'wrong-password' })).rejects.toThrow(/refused/);
    const free = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    await free.close();
    await expect(bridge(free.url, 'timeout-test', { startupTimeoutMs: 200 })).rejects.toThrow(/within 200 ms/);
  });

  it('never logs the password', async () => {
    const b = await startEmbeddedBroker({ port: 0, username: 'u', password: 'Very-Secret-123', logger: silentLogger() });
    cleanups.push(() => b.close());
    let output = '';
    const destination = new Writable({
      write(chunk, _enc, cb) {
        output += String(chunk);
        cb();
      },
    });
    const logger = createLogger({ level: 'trace', pretty: false, destination, registry: new SecretRegistry() });
    const c = await bridge(`mqtt://u:Very-Secret-123@127.0.0.1:${b.port}`, 'log-test', {
      username: 'u',
      password: 'Very-Secret-123',
      logger,
    });
    await c.end();
    expect(output).toContain('connect');
    expect(output).not.toContain('Very-Secret-123');
  });

  it('end() is graceful: no last will', async () => {
    const b = await broker();
    const obs = await observer(b.url, ['tp/bridge/state']);
    const c = await bridge(b.url, 'graceful-test');
    await c.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(obs.messages).toEqual([]);
    expect(c.connected).toBe(false);
    await expect(c.publish('tp/x', 'y')).rejects.toThrow(/closing/);
  });
});
