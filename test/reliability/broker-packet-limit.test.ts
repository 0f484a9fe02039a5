/**
 * An external broker with a packet size limit (mosquitto max_packet_size)
 * closes the connection of a client that sends a larger packet; MQTT.js
 * sends the same QoS 1 packet again on every reconnect, so the bridge never
 * got a lasting connection, and said nothing but "connection closed".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { MqttConnection } from '../../src/mqtt/client.js';
import { bridgeTopic } from '../../src/mqtt/topics.js';
import { startHarness, type Harness } from '../bridge/harness.js';
import { freePort } from './helpers.js';
import { hasMosquitto, mosquitto, type Mosquitto } from './mosquitto.js';

const LIMIT = 8 * 1024;

let broker: Mosquitto | undefined;
let harness: Harness | undefined;
let connection: MqttConnection | undefined;

afterEach(async () => {
  await harness?.close();
  await connection?.end();
  await broker?.dispose();
  harness = undefined;
  connection = undefined;
  broker = undefined;
});

async function limitedBroker(): Promise<Mosquitto> {
  broker = mosquitto(await freePort(), { persistence: false, extra: [`max_packet_size ${LIMIT}`] });
  await broker.start();
  return broker;
}

function collect(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'warn', pretty: false, destination: { write: (line: string) => lines.push(line) } }) };
}

describe.skipIf(!hasMosquitto)('an external broker with a packet size limit', () => {
  it('with mqtt.maxPacketSize set: starts, stays connected, and names each message it skips', async () => {
    const mq = await limitedBroker();
    const { lines, logger } = collect();
    // 60 devices: bridge/devices is about 20 KB, over the 8 KiB limit.
    harness = await startHarness({ sim: { devices: 60, builtin: false }, config: { mqtt: { url: mq.url, maxPacketSize: LIMIT } }, logger });
    const base = harness.config.mqtt.baseTopic;
    expect(harness.bridge.mqtt.connected).toBe(true);
    expect(harness.last(bridgeTopic(base, 'state'))).toContain('online');
    const skipped = lines.find((line) => line.includes(bridgeTopic(base, 'devices')) && line.includes('mqtt.maxPacketSize'));
    expect(skipped).toBeDefined();
    expect(lines.some((line) => line.includes('connection closed'))).toBe(false);
  }, 30_000);

  it('without it: after the broker drops the connection twice right after a large message, one error says what to set', async () => {
    const mq = await limitedBroker();
    const { lines, logger } = collect();
    connection = await MqttConnection.connect({
      url: mq.url,
      clientId: `limit-test-${Math.random().toString(16).slice(2)}`,
      keepaliveS: 60,
      rejectUnauthorized: true,
      will: { topic: 'limit-test/state', payload: 'offline', retain: true, qos: 1 },
      logger,
      reconnect: { minMs: 100, maxMs: 200 },
    });
    // Not awaited: its PUBACK never comes, the broker drops the connection instead (again on each resend).
    connection.publish('limit-test/big', 'x'.repeat(LIMIT * 2), { qos: 1 }).catch(() => undefined);
    const deadline = Date.now() + 10_000;
    const explained = () => lines.find((line) => line.includes('mqtt.maxPacketSize') && line.includes('limit-test/big'));
    while (!explained() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(explained()).toBeDefined();
    expect(lines.filter((line) => line.includes('set mqtt.maxPacketSize'))).toHaveLength(1);
  }, 20_000);
});
