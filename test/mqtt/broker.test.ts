import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, safeEqual, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { silentLogger } from '../../src/logger.js';

const brokers: EmbeddedBroker[] = [];
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

async function broker(options: { username?: string; password?: string; maxPacketSize?: number } = {}): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger(), ...options });
  brokers.push(b);
  return b;
}

/** Connect once without retries; resolves the client or rejects with the CONNACK error. */
function tryConnect(url: string, auth: { username?: string; password?: string } = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3_000, ...auth });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('embedded broker', () => {
  it('listens on 127.0.0.1 with an ephemeral port and routes messages', async () => {
    const b = await broker();
    expect(b.port).toBeGreaterThan(0);
    expect(b.url).toBe(`mqtt://127.0.0.1:${b.port}`);
    const sub = await tryConnect(b.url);
    const pub = await tryConnect(b.url);
    await sub.subscribeAsync('a/#', { qos: 1 });
    const got = new Promise<[string, string]>((resolve) => sub.once('message', (t, p) => resolve([t, p.toString()])));
    await pub.publishAsync('a/b', 'hello', { qos: 1 });
    expect(await got).toEqual(['a/b', 'hello']);
  });

  it('defaults to 127.0.0.1 when no host is given', async () => {
    const b = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    brokers.push(b);
    expect(b.url.startsWith('mqtt://127.0.0.1:')).toBe(true);
  });

  it('refuses missing or wrong credentials and accepts the right ones', async () => {
    const b = await broker({ username: 'bridge', password: 's3cret-pass' });
    await expect(tryConnect(b.url)).rejects.toMatchObject({ code: 4 });
    await expect(tryConnect(b.url, { username: 'bridge', password: 'wrong' })).rejects.toMatchObject({ code: 4 });
    await expect(tryConnect(b.url, { username: 'other', password: 's3cret-pass' })).rejects.toMatchObject({ code: 4 });
    const ok = await tryConnect(b.url, { username: 'bridge', password: 's3cret-pass' });
    expect(ok.connected).toBe(true);
  });

  it('refuses to start with a username and an empty password (anyone sending the username alone would get in)', async () => {
    await expect(startEmbeddedBroker({ port: 0, logger: silentLogger(), username: 'bridge', password: '' })).rejects.toThrow(/non-empty password/);
  });

  it('drops a client that sends a packet over maxPacketSize, before buffering it; others go on', async () => {
    const b = await broker({ maxPacketSize: 64 * 1024 });
    const sub = await tryConnect(b.url);
    await sub.subscribeAsync('big/#', { qos: 0 });
    const received: number[] = [];
    sub.on('message', (_topic, payload) => received.push(payload.length));
    const small = await tryConnect(b.url);
    await small.publishAsync('big/ok', Buffer.alloc(60 * 1024), { qos: 1 });
    const huge = await tryConnect(b.url);
    const closed = new Promise<void>((resolve) => huge.once('close', () => resolve()));
    huge.publish('big/huge', Buffer.alloc(1024 * 1024), { qos: 0 });
    await closed;
    await small.publishAsync('big/after', 'x', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([60 * 1024, 1]);
  });

  it('close() is prompt even with connected clients', async () => {
    const b = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    await tryConnect(b.url);
    await tryConnect(b.url);
    const started = Date.now();
    await b.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await b.close(); // idempotent
  });

  it('fails to start on a port already in use', async () => {
    const b = await broker();
    await expect(startEmbeddedBroker({ port: b.port, logger: silentLogger() })).rejects.toThrow();
  });

  it('safeEqual compares exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
