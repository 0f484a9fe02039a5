/**
 * The start-up wait for the broker (mqtt.startupTimeoutS): a broker that
 * comes up at any moment within the timeout is reached, as under docker
 * compose where the bridge may start before mosquitto listens.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker.js';
import { MqttConnection, MqttConnectError, retryDelay } from '../../src/mqtt/client.js';
import { silentLogger } from '../../src/logger.js';
import { freePort } from '../reliability/helpers.js';

// The waits below are real time on real sockets (each on a port of its own): they run concurrently.
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** The moments (ms after start) at which attempts are made while nothing listens. */
function attemptTimes(backoff: { minMs: number; maxMs: number }, timeoutMs: number, attemptMs = 0): number[] {
  const times = [0];
  for (let attempt = 0; ; attempt++) {
    const failedAt = (times.at(-1) ?? 0) + attemptMs;
    if (failedAt >= timeoutMs) return times;
    times.push(failedAt + retryDelay(attempt, backoff, timeoutMs, failedAt));
  }
}

function connect(url: string, timeoutMs: number): Promise<MqttConnection> {
  return MqttConnection.connect({
    url,
    clientId: `startup-wait-${Math.random().toString(36).slice(2)}`,
    rejectUnauthorized: true,
    keepaliveS: 30,
    will: { topic: 'tp/bridge/state', payload: '{"state":"offline"}', retain: true, qos: 1 },
    logger: silentLogger(),
    reconnect: { minMs: 100, maxMs: 30_000 },
    startupTimeoutMs: timeoutMs,
  });
}

describe('start-up wait for the broker', () => {
  it('never leaves a gap past the deadline: the last attempt is made at it', () => {
    // The defaults: 1 s doubling, 30 s timeout. Uncapped the tries were 0, 1, 3, 7, 15, 31 s.
    const times = attemptTimes({ minMs: 1_000, maxMs: 30_000 }, 30_000);
    expect(times).toEqual([0, 1_000, 3_000, 7_000, 15_000, 30_000]);
    // With slow attempts (each takes 2.5 s to fail) the last still starts at the deadline.
    expect(attemptTimes({ minMs: 1_000, maxMs: 30_000 }, 30_000, 2_500).at(-1)).toBe(30_000);
    // After the first connection the back-off is the plain doubling again.
    expect(retryDelay(5, { minMs: 1_000, maxMs: 30_000 }, undefined, 0)).toBe(30_000);
  });

  // Attempts at 0, 0.1, 0.3, 0.7, 1.5 s; uncapped the next was at 3.1 s, past the 2 s deadline.
  // The broker comes up in that hole, once at a random moment within it.
  const moments = [1_600, 1_600 + Math.round(Math.random() * 300), 1_950];
  it.for(moments)('reaches a broker that starts %i ms into a 2 s wait', { concurrent: true }, async (startAtMs, { expect }) => {
    const port = await freePort();
    let broker: EmbeddedBroker | undefined;
    const starting = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        startEmbeddedBroker({ host: '127.0.0.1', port, logger: silentLogger() }).then((started) => {
          broker = started;
          cleanups.push(() => started.close());
          resolve();
        }, reject);
      }, startAtMs);
    });
    const began = Date.now();
    const connection = await connect(`mqtt://127.0.0.1:${port}`, 2_000);
    cleanups.push(() => connection.end());
    await starting;
    expect(broker).toBeDefined();
    expect(connection.connected).toBe(true);
    expect(Date.now() - began).toBeGreaterThanOrEqual(startAtMs);
    // Reached by the attempt at the deadline at the latest, not by a late one after it.
    expect(Date.now() - began).toBeLessThan(2_000 + 700);
  });

  it.concurrent('still gives up, soon after the deadline, when no broker comes', async ({ expect }) => {
    const port = await freePort();
    const began = Date.now();
    const error = await connect(`mqtt://127.0.0.1:${port}`, 800).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MqttConnectError);
    expect((error as MqttConnectError).failure).toBe('unreachable');
    expect(Date.now() - began).toBeGreaterThanOrEqual(800);
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});
