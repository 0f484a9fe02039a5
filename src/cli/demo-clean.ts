/**
 * `demo --clean`: after the demo stopped, removes what it left retained on
 * an external broker (its Home Assistant discovery, device states and
 * bridge topics), so Home Assistant forgets the demo devices. Only the
 * demo's own topics: another bridge on the same broker keeps its own.
 */
import mqtt from 'mqtt';
import type { AppConfig } from '../config/load.js';
import type { Logger } from '../logger.js';
import { safeId } from '../model/node.js';
import { brokerUrl, clientOptions } from './health.js';

export interface DemoTopics {
  /** Topic names of the demo's nodes (`desk_lamp`). */
  names: readonly string[];
  /** Node ids and the bridge's own device id, as discovery topics carry them. */
  ids: readonly string[];
}

/** Whether a retained topic is one the demo published. */
export function isDemoTopic(topic: string, config: AppConfig, own: DemoTopics): boolean {
  const base = `${config.mqtt.baseTopic}/`;
  if (topic.startsWith(base)) {
    const first = topic.slice(base.length).split('/')[0] ?? '';
    return first === 'bridge' || own.names.includes(first);
  }
  if (!topic.startsWith(`${config.homeassistant.prefix}/`)) return false;
  const ids = new Set(own.ids.map(safeId));
  return topic.split('/').some((level) => ids.has(level));
}

const QUIET_MS = 500;

/** Clears the demo's retained topics; returns how many. */
export async function clearDemoTopics(config: AppConfig, own: DemoTopics, logger: Logger): Promise<number> {
  const url = brokerUrl(config);
  if (!url) return 0;
  const client = await mqtt.connectAsync(url, clientOptions(config, 5_000));
  try {
    const retained = new Set<string>();
    let last = Date.now();
    client.on('message', (topic, payload, packet) => {
      last = Date.now();
      if (packet.retain && payload.length > 0 && isDemoTopic(topic, config, own)) retained.add(topic);
    });
    await client.subscribeAsync([`${config.mqtt.baseTopic}/#`, `${config.homeassistant.prefix}/#`], { qos: 1 });
    // Retained messages arrive right after the subscription: wait until they stop.
    while (Date.now() - last < QUIET_MS) await new Promise((resolve) => setTimeout(resolve, 100));
    await client.unsubscribeAsync([`${config.mqtt.baseTopic}/#`, `${config.homeassistant.prefix}/#`]);
    for (const topic of retained) await client.publishAsync(topic, '', { retain: true, qos: 1 });
    logger.info({ topics: retained.size }, 'demo --clean: removed the demo\'s retained topics from the broker');
    return retained.size;
  } finally {
    await client.endAsync().catch(() => undefined);
  }
}
