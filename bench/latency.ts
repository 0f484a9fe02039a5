/**
 * Command latency: from a `set` published on the broker to the simulated
 * cloud receiving the request, for the bridge and for the minimal relay,
 * interleaved in one run (same broker, same simulator, same clock).
 * One command in flight at a time, round-robin over many plugs with
 * alternating states, so nothing coalesces and each request is matched
 * to the first set_relay_state the simulator records for that device.
 */
import type { DeviceNode } from '../src/model/node.js';
import type { RecordedRequest } from 'tplink-cloud-sim';
import { endpointsOf } from './config.js';
import { kasaDeviceId, kasaRelayDevices, relayStateSet, startInProcessBridge } from './inproc.js';
import { MinimalRelay, RELAY_PREFIX } from './relay.js';
import type { BenchSimulator } from './sim.js';
import { nowMs, progress, round, sleep, summarize, waitUntil, type Percentiles } from './stats.js';

export interface LatencyOptions {
  commands: number;
  warmup: number;
}

export interface LatencyResult {
  commands: number;
  warmup: number;
  devices: number;
  bridge: Percentiles;
  baseline: Percentiles;
  overheadMs: { p50: number; p95: number; p99: number };
  ratioP50: number;
  ratioP99: number;
  relayFailures: number;
}

const MATCH_TIMEOUT_MS = 5_000;
/** After each answer: lets both sides finish handling it before the next command. */
const SETTLE_MS = 2;

type Sender = (node: DeviceNode, on: boolean) => Promise<void>;

export async function measureLatency(bench: BenchSimulator, options: LatencyOptions): Promise<LatencyResult> {
  const inproc = await startInProcessBridge(bench, { perSecond: 0 });
  const relay = await MinimalRelay.start(inproc.brokerUrl, endpointsOf(bench.sim));
  const { commander } = inproc;
  try {
    const plugs = kasaRelayDevices(inproc.bridge.store.all());
    if (plugs.length < 2) throw new Error('latency: not enough Kasa plugs');
    const viaBridge: Sender = (node, on) => commander.publishAsync(inproc.setTopic(node), on ? 'ON' : 'OFF', { qos: 1 }).then(() => undefined);
    const viaRelay: Sender = (node, on) =>
      commander.publishAsync(`${RELAY_PREFIX}/${kasaDeviceId(node)}/set`, on ? 'ON' : 'OFF', { qos: 1 }).then(() => undefined);

    const samples = { bridge: [] as number[], baseline: [] as number[] };
    const states = new Map<string, boolean>();
    const total = options.warmup + options.commands;
    for (let i = 0; i < total; i++) {
      const node = plugs[i % plugs.length] as DeviceNode;
      const on = !(states.get(node.id) ?? node.state.state === 'ON');
      states.set(node.id, on);
      // Alternate who goes first so neither side always follows the other.
      const order: [keyof typeof samples, Sender][] = [
        ['bridge', viaBridge],
        ['baseline', viaRelay],
      ];
      if (i % 2 === 1) order.reverse();
      for (const [side, send] of order) {
        const ms = await timeOne(bench, node, on, send);
        if (i >= options.warmup) samples[side].push(ms);
      }
      if ((i + 1) % 250 === 0) progress(`latency: ${i + 1}/${total} command pairs`);
    }
    const bridge = summarize(samples.bridge);
    const baseline = summarize(samples.baseline);
    return {
      commands: options.commands,
      warmup: options.warmup,
      devices: plugs.length,
      bridge,
      baseline,
      overheadMs: {
        p50: round(bridge.p50 - baseline.p50, 3),
        p95: round(bridge.p95 - baseline.p95, 3),
        p99: round(bridge.p99 - baseline.p99, 3),
      },
      ratioP50: round(bridge.p50 / baseline.p50, 3),
      ratioP99: round(bridge.p99 / baseline.p99, 3),
      relayFailures: relay.failures,
    };
  } finally {
    await relay.close();
    await inproc.close();
  }
}

/** Publishes one command and returns ms until the simulator records its set_relay_state. */
async function timeOne(bench: BenchSimulator, node: DeviceNode, on: boolean, send: Sender): Promise<number> {
  const deviceId = kasaDeviceId(node);
  const wanted = on ? 1 : 0;
  const arrival = bench.next(
    (request: RecordedRequest) => request.api === 'passthrough' && request.deviceId === deviceId && relayStateSet(request.body) === wanted,
    MATCH_TIMEOUT_MS,
  );
  arrival.catch(() => undefined); // awaited below; this only keeps an early timeout from counting as unhandled
  const sentAt = nowMs();
  await send(node, on);
  const request = await arrival;
  const ms = bench.arrivalOf(request) - sentAt;
  await waitUntil(() => request.status !== 0, MATCH_TIMEOUT_MS, 'the simulator to answer', 1);
  await sleep(SETTLE_MS);
  return ms;
}
