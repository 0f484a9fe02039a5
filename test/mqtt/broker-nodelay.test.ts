/**
 * The embedded broker turns Nagle's algorithm off on its sockets. With it
 * on, a client that publishes between two messages it receives (the bridge:
 * command in, optimistic state out, next command in) saw each next message
 * held until the delayed ACK of the previous write: ~40 ms on Linux.
 */
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { silentLogger } from '../../src/logger.js';

let broker: EmbeddedBroker | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  await broker?.close();
  broker = undefined;
});

/** A client with Nagle off on its own side, so only the broker's sockets are under test. */
async function client(url: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  clients.push(c);
  if (c.stream instanceof Socket) c.stream.setNoDelay(true);
  return c;
}

describe('embedded broker latency', () => {
  it('delivers a message to a client that just published without a delayed-ACK stall', async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    const bridge = await client(broker.url);
    const user = await client(broker.url);
    await bridge.subscribeAsync('cmd', { qos: 1 });
    await user.subscribeAsync('echo', { qos: 1 });
    bridge.on('message', (_topic, payload) => {
      void bridge.publishAsync('echo', payload, { qos: 1 });
    });

    const rounds: number[] = [];
    for (let i = 0; i < 30; i++) {
      const echoed = new Promise<void>((resolve) => user.once('message', () => resolve()));
      const started = performance.now();
      await user.publishAsync('cmd', String(i), { qos: 1 });
      await echoed;
      rounds.push(performance.now() - started);
    }
    rounds.sort((a, b) => a - b);
    const median = rounds[Math.floor(rounds.length / 2)] ?? Infinity;
    // Loopback round trips take about a millisecond; a Nagle stall costs ~40 ms.
    expect(median).toBeLessThan(20);
  });
});
