/**
 * An install whose bridge/devices list is larger than the embedded broker's
 * packet limit. At 1,000 devices bridge/devices (342 KB) went over the
 * 256 KiB limit: the broker dropped the bridge's own connection, MQTT.js
 * sent the retained publish again on every reconnect, and start() never
 * returned ("bridge child did not start in time" in npm run bench). Shown
 * here at a small scale: a small limit, more things than one Tapo page, a
 * rate limit on the Tapo cloud.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { bridgeTopic, stateTopic } from '../../src/mqtt/topics.js';
import { startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('an install larger than the broker packet limit', () => {
  it('starts, keeps its MQTT connection and publishes everything that fits; the oversize message is refused with a clear log line', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', pretty: false, destination: { write: (line: string) => lines.push(line) } });
    harness = await startHarness({
      sim: { devices: 60, builtin: false },
      config: {
        embeddedBroker: { maxPacketSize: 8 * 1024 },
        tapo: { pageSize: 5 },
        rateLimit: { tapoPerSecond: 50 },
      },
      logger,
    });
    const { bridge, sim, config } = harness;
    const base = config.mqtt.baseTopic;
    // More than one Tapo page was read, each page its own request.
    const pages = sim.requests.filter((request) => request.api === 'things' || request.api === 'things.v2');
    expect(pages.length).toBeGreaterThan(1);
    expect(bridge.store.size).toBeGreaterThanOrEqual(60);
    // Still connected, never dropped by its own broker.
    expect(bridge.mqtt.connected).toBe(true);
    expect(lines.some((line) => line.includes('dropped a client'))).toBe(false);
    expect(harness.last(bridgeTopic(base, 'state'))).toContain('online');
    // Every device's state went out (each message fits).
    for (const node of bridge.store.all().filter((candidate) => candidate.parentId === undefined)) {
      expect(harness.last(stateTopic(base, harness.nameOf(node.id))), node.id).toBeDefined();
    }
    // The one that does not fit is named, with its size and the setting to raise.
    const refused = lines.find((line) => line.includes(bridgeTopic(base, 'devices')) && line.includes('embeddedBroker.maxPacketSize'));
    expect(refused).toBeDefined();
  }, 30_000);
});
