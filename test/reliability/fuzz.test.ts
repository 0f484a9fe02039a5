/**
 * Fuzz: more than 10,000 random and malformed topics and payloads through
 * the real (embedded) broker, plus topics no broker would deliver handed to
 * the bridge directly. No crash, no cloud call, one command_rejected per
 * rejected set/get, memory stable, and a valid command still works after.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../bridge/harness.js';
import { brokerCase, injectedCase, seeded, type FuzzCase, type FuzzTargets } from './fuzz-cases.js';
import { relayNodes, simPower, sleep, until, watchUnhandled } from './helpers.js';
import { isLight } from '../../src/model/node.js';

const ROUNDS = 4;
const PER_ROUND = 3_000;
const INJECTED = 1_500;
const BATCH = 500;
const SEED = Number(process.env.TPCM_FUZZ_SEED ?? 0x5eed);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let h: Harness;
let rejectedEvents = 0;
let bridgeReconnects = 0;
let stopWatching: () => unknown[];

beforeAll(async () => {
  stopWatching = watchUnhandled();
  h = await startHarness();
  await h.waitForMessage('tplink/bridge/info');
  h.bridge.mqtt.on('reconnecting', () => {
    bridgeReconnects += 1;
  });
  h.client.on('message', (topic, payload) => {
    if (topic === 'tplink/bridge/event' && payload.includes('"command_rejected"')) rejectedEvents += 1;
  });
});
afterAll(async () => {
  await h.close();
});

function targets(): FuzzTargets {
  const plugs = relayNodes(h, 'kasa')
    .concat(relayNodes(h, 'tapo'))
    .filter((node) => !isLight(node))
    .map((node) => ({ name: h.nameOf(node.id), node }));
  return { plugs, isKnown: (segment) => h.bridge.names.resolve(segment) !== undefined };
}

/** Waits until the bridge has answered `expected` rejections and then stays quiet. */
async function settle(expected: number): Promise<void> {
  await until(() => rejectedEvents >= expected, 20_000, `${expected} command_rejected events (have ${rejectedEvents})`);
  await sleep(200);
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('fuzzing the MQTT input', () => {
  it(`${ROUNDS * PER_ROUND} malformed messages through the broker and ${INJECTED} impossible topics: no cloud call, no crash, memory stable`, async () => {
    const fuzzTargets = targets();
    expect(fuzzTargets.plugs.length).toBeGreaterThanOrEqual(6);
    const rng = seeded(SEED);
    h.sim.clearRequests();
    let expected = 0;
    const heap: number[] = [];
    let sent = 0;

    for (let round = 0; round < ROUNDS; round++) {
      for (let at = 0; at < PER_ROUND; at += BATCH) {
        const cases: FuzzCase[] = Array.from({ length: BATCH }, () => brokerCase(rng, fuzzTargets));
        await Promise.all(cases.map((fuzz) => h.client.publishAsync(fuzz.topic, fuzz.payload, { qos: 1 })));
        expected += cases.filter((fuzz) => fuzz.rejected).length;
        sent += cases.length;
        h.messages.length = 0; // the observer keeps everything; the fuzz payloads would swamp the heap figure
      }
      await settle(expected);
      expect(rejectedEvents, `round ${round}: one command_rejected per rejected case`).toBe(expected);
      expect(h.sim.requests, `round ${round}: cloud requests (seed ${SEED})`).toEqual([]);
      // `tplink//set` once made the embedded broker drop the bridge's persistent session.
      expect(bridgeReconnects, `round ${round}: bridge lost its broker connection`).toBe(0);
      heap.push(heapMb());
    }
    expect(sent).toBeGreaterThanOrEqual(10_000);

    for (let i = 0; i < INJECTED; i++) {
      const fuzz = injectedCase(rng, fuzzTargets);
      h.bridge.mqtt.emit('message', fuzz.topic, fuzz.payload, false);
      if (fuzz.rejected) expected += 1;
    }
    await settle(expected);
    expect(rejectedEvents).toBe(expected);
    expect(h.sim.requests).toEqual([]);
    h.messages.length = 0;

    // Heap after round 1 (everything warmed up) against the end: no growth per message.
    const growth = (heap.at(-1) ?? 0) - (heap[0] ?? 0);
    expect(growth, `heap MB per round: ${heap.map((mb) => mb.toFixed(1)).join(', ')}`).toBeLessThan(15);

    // Still alive and well: a valid command is carried out, exactly one cloud write.
    const plug = fuzzTargets.plugs[0];
    if (!plug) throw new Error('no plug');
    const wanted = simPower(h.sim, plug.node) === 'ON' ? 'OFF' : 'ON';
    await h.publish(`tplink/${plug.name}/set`, wanted);
    await until(() => simPower(h.sim, plug.node) === wanted, 5000, 'valid command after the fuzz carried out');
    expect(h.bridge.mqtt.connected).toBe(true);
    expect(stopWatching()).toEqual([]);
  }, 60_000);
});
