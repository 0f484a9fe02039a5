/**
 * mqtt-packet's 65,536-Buffer number cache (~6 MB of heap for the process's
 * life) stays off once the bridge's MQTT modules are loaded, and packets
 * with 16-bit numbers (QoS 1 message ids, topic lengths) still go through
 * the embedded broker intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { silentLogger } from '../../src/logger.js';

let broker: EmbeddedBroker | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  await broker?.close();
  broker = undefined;
});

describe('mqtt-packet number cache', () => {
  it('is off, and QoS 1 publishes still arrive whole', async () => {
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
    broker = await startEmbeddedBroker({ port: 0, logger: silentLogger() });
    const subscriber = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    clients.push(subscriber, publisher);
    const topic = `t/${'x'.repeat(300)}`;
    const payloads = Array.from({ length: 300 }, (_, i) => `payload ${i} ${'y'.repeat(i * 3)}`);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      subscriber.on('message', (_topic, payload) => {
        received.push(payload.toString());
        if (received.length === payloads.length) resolve();
      }),
    );
    await subscriber.subscribeAsync(topic, { qos: 1 });
    for (const payload of payloads) await publisher.publishAsync(topic, payload, { qos: 1 });
    await all;
    expect(received).toEqual(payloads);
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
  });
});
