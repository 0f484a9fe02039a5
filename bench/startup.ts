/**
 * Start-up check from the outside: an MQTT client that connects once the
 * bridge says it started, and confirms every node's state is there
 * (retained) along with the discovery configs.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { ReadyReport } from './ipc.js';
import { sleep } from './stats.js';

export interface StartupReport {
  /** Spawn of the child process to bridge.start() resolved (process boot included). */
  totalMs: number;
  /** Node start to the bridge's entry module running (runtime + tsx + imports). */
  bootMs: number;
  /** bridge.start(): login, lists, every state and energy read, discovery and state published. */
  bridgeStartMs: number;
  nodes: number;
  published: ReadyReport['counts'];
  /** What an MQTT client saw right after: retained state topics of nodes, of the expected. */
  retainedStateTopics: number;
  missingStateTopics: number;
  /** Retained discovery configs seen, of those the bridge published (`expectedDiscoveryTopics`). */
  retainedDiscoveryTopics: number;
  expectedDiscoveryTopics: number;
  complete: boolean;
}

const QUIET_MS = 500;
const MAX_WAIT_MS = 20_000;

export async function observeStartup(ready: ReadyReport, spawnedAt: number, discoveryPrefix: string): Promise<StartupReport> {
  const expected = new Set(ready.stateTopics);
  const expectedDiscovery = new Set(ready.discoveryTopics);
  const seenState = new Set<string>();
  const discovery = new Set<string>();
  let lastMessage = Date.now();
  const client = await mqtt.connectAsync(ready.brokerUrl, { clientId: `bench-observer-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 });
  try {
    client.on('message', (topic, payload, packet) => {
      lastMessage = Date.now();
      if (!packet.retain || payload.length === 0) return;
      if (expected.has(topic)) seenState.add(topic);
      // Only the configs the bridge says it published: a stale config of another mode is not one of them.
      else if (topic.startsWith(`${discoveryPrefix}/`) && expectedDiscovery.has(topic)) discovery.add(topic);
    });
    await client.subscribeAsync('#', { qos: 0 });
    const deadline = Date.now() + MAX_WAIT_MS;
    const missing = () => seenState.size < expected.size || discovery.size < expectedDiscovery.size;
    while (Date.now() < deadline && (missing() || Date.now() - lastMessage < QUIET_MS)) await sleep(50);
  } finally {
    await client.endAsync(true);
  }
  return {
    totalMs: ready.readyAt - spawnedAt,
    bootMs: ready.bootMs,
    bridgeStartMs: ready.startMs,
    nodes: ready.nodes,
    published: ready.counts,
    retainedStateTopics: seenState.size,
    missingStateTopics: expected.size - seenState.size,
    retainedDiscoveryTopics: discovery.size,
    expectedDiscoveryTopics: expectedDiscovery.size,
    // No discovery expected (Home Assistant off) is complete with none; otherwise every config must be there.
    complete: seenState.size === expected.size && discovery.size === expectedDiscovery.size,
  };
}
