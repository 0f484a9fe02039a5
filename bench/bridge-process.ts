/**
 * Child-process entry: one bridge, driven by the benchmark over IPC, so its
 * CPU time and memory are its own (the simulator stays in the parent).
 * Compiled first (tsconfig.child.json), run as `node --expose-gc bench/results/build/bench/bridge-process.js`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { Bridge } from '../src/runtime/bridge.js';
import { silentLogger } from '../src/logger.js';
import { favourMemory } from '../src/cli/run.js';
import { stateTopic } from '../src/mqtt/topics.js';
import { bridgeDiscovery, discoveryMessages } from '../src/homeassistant/discovery.js';
import { mb, type ChildReply, type ChildRequest, type PublishCounts } from './ipc.js';
import { nowMs } from './stats.js';
import { MemorySampler } from './mem-sampler.js';

// As `tplink-cloud-mqtt run` does.
favourMemory();
const bootMs = performance.now();
/** `--sample-memory` (npm run bench -- --memory-runs): memory sampled through every phase; `--memory-timeline`: printed too. */
const sampler = process.argv.includes('--sample-memory') ? new MemorySampler('boot', process.argv.includes('--memory-timeline')) : undefined;
let cycles = 0;
/** `--alloc-profile`: V8's sampling heap profiler from boot on, collected objects included (what allocates, not what stays). */
const allocations = process.argv.includes('--alloc-profile') ? new Session() : undefined;
allocations?.connect();
allocations?.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
let bridge: Bridge | undefined;

function reply(message: ChildReply): void {
  process.send?.(message);
}

function snapshot(counts: PublishCounts): PublishCounts {
  return { ...counts };
}

function delta(after: PublishCounts, before: PublishCounts): PublishCounts {
  return {
    state: after.state - before.state,
    availability: after.availability - before.availability,
    discovery: after.discovery - before.discovery,
    other: after.other - before.other,
  };
}

function running(): Bridge {
  if (!bridge) throw new Error('bridge not started');
  return bridge;
}

/** Every retained discovery config the bridge should hold now: its nodes' and its own device's. */
function expectedDiscovery(running: Bridge): string[] {
  if (!running.config.homeassistant.enabled) return [];
  const options = running.publisher.discoveryOptions();
  const messages = [...discoveryMessages(running.store.all(), options), ...bridgeDiscovery(options)];
  return [...new Set(messages.map((message) => message.topic))];
}

async function start(config: Bridge['config']): Promise<ChildReply> {
  const rssBeforeStartMb = mb(process.memoryUsage().rss);
  sampler?.phase('start-up');
  const started = performance.now();
  bridge = new Bridge(config, silentLogger());
  await bridge.start();
  const startMs = performance.now() - started;
  sampler?.phase('after start-up');
  const base = config.mqtt.baseTopic;
  return {
    type: 'ready',
    bootMs,
    startMs,
    readyAt: nowMs(),
    brokerUrl: bridge.broker?.url ?? config.mqtt.url,
    nodes: bridge.store.size,
    stateTopics: bridge.store.all().map((node) => stateTopic(base, bridge?.names.nameOf(node.id) ?? node.id)),
    discoveryTopics: expectedDiscovery(bridge),
    counts: snapshot(bridge.publisher.counts),
    rssBeforeStartMb,
    rssMb: mb(process.memoryUsage().rss),
  };
}

async function cycle(id: number, what: 'state' | 'energy' | 'both' | 'settings'): Promise<ChildReply> {
  const { poller, publisher } = running();
  const before = snapshot(publisher.counts);
  sampler?.phase(`cycle ${++cycles} (${what})`);
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (what === 'state') await poller.readStates();
  else if (what === 'energy') await poller.readEnergy();
  else if (what === 'settings') await poller.readSettings();
  else await Promise.all([poller.readStates(), poller.readEnergy()]);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  sampler?.phase(`after cycle ${cycles}`);
  return {
    type: 'cycle',
    id,
    wallMs,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    published: delta(publisher.counts, before),
    rssMb: mb(process.memoryUsage().rss),
  };
}

function memory(id: number): ChildReply {
  const raw = process.memoryUsage();
  globalThis.gc?.();
  const collected = process.memoryUsage();
  return {
    type: 'memory',
    id,
    rssMb: mb(raw.rss),
    heapUsedMb: mb(raw.heapUsed),
    rssAfterGcMb: mb(collected.rss),
    heapUsedAfterGcMb: mb(collected.heapUsed),
    heapTotalAfterGcMb: mb(collected.heapTotal),
    externalAfterGcMb: mb(collected.external),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
  };
}

async function handle(request: ChildRequest): Promise<ChildReply> {
  switch (request.type) {
    case 'start':
      return start(request.config);
    case 'cycle':
      return cycle(request.id, request.what);
    case 'memory':
      return memory(request.id);
    case 'snapshot':
      return { type: 'snapshot', id: request.id, path: writeHeapSnapshot(request.path) };
    case 'alloc-profile':
      return new Promise((resolve) => {
        if (!allocations) return resolve({ type: 'alloc-profile', id: request.id, path: '' });
        allocations.post('HeapProfiler.stopSampling', (error, result) => {
          if (!error) writeFileSync(request.path, JSON.stringify(result.profile));
          resolve({ type: 'alloc-profile', id: request.id, path: error ? '' : request.path });
        });
      });
    case 'phases':
      return { type: 'phases', id: request.id, phases: sampler?.phases() ?? [] };
    case 'stop':
      await bridge?.stop();
      return { type: 'stopped', id: request.id };
  }
}

process.on('message', (request: ChildRequest) => {
  handle(request)
    .then((answer) => {
      reply(answer);
      if (answer.type === 'stopped') process.disconnect();
    })
    .catch((error: unknown) => {
      const id = 'id' in request ? request.id : undefined;
      reply({ type: 'error', ...(id === undefined ? {} : { id }), message: error instanceof Error ? error.message : String(error) });
    });
});
// The parent going away ends this process too: no orphaned bridges.
process.on('disconnect', () => {
  void (bridge?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
