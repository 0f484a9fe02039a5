/**
 * Everything the bridge publishes goes through here: node state and
 * availability (retained, only when changed unless forced), Home Assistant
 * discovery, removals, bridge events and responses. It remembers what it
 * last published so an unchanged poll costs no MQTT message.
 */
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/load.js';
import { sameFeatures } from '../model/feature.js';
import type { DeviceNode } from '../model/node.js';
import { eachDiscoveryMessage, otherModeRemovals, removalMessages, type DiscoveryMessage, type DiscoveryOptions } from '../homeassistant/discovery.js';
import { secrets, type Logger } from '../logger.js';
import { PacketTooLargeError, type MqttConnection } from '../mqtt/client.js';
import { availabilityTopic, bridgeTopic, stateTopic, type TopicNameRegistry } from '../mqtt/topics.js';
import { VERSION } from '../version.js';
import type { BridgeDevices, BridgeEventData, BridgeEventType, BridgeInfo, BridgeResponse, BridgeState } from './api.js';

/** What each retained bridge topic carries (runtime/api.ts). */
interface BridgePayloads {
  state: BridgeState;
  info: BridgeInfo;
  devices: BridgeDevices;
}

export class Publisher {
  readonly #lastState = new Map<string, string>();
  readonly #lastAvailability = new Map<string, string>();
  /** Digest of the config last published per discovery topic (a config is ~3.5 KB: 1,000 devices kept 5.6 MB of them). */
  readonly #lastDiscovery = new Map<string, string>();
  /** What discovery depends on, per node, as last published: recomputing it is only worth it when this changes. */
  readonly #discoveryInputs = new Map<string, DiscoveryInputs>();
  /** The discovery run in progress; the next waits for it. */
  #discoveryRuns: Promise<void> = Promise.resolve();
  /** Messages published since start, by kind (benchmarks read this). */
  readonly counts = { state: 0, availability: 0, discovery: 0, other: 0 };

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly names: TopicNameRegistry,
    private readonly config: AppConfig,
    private readonly bridgeId: string,
    private readonly logger: Logger,
  ) {}

  get base(): string {
    return this.config.mqtt.baseTopic;
  }

  nameOf(node: DeviceNode): string {
    return this.names.nameOf(node.id) ?? node.id;
  }

  /** Publishes a node's state (and availability) if it changed since last time, or when forced. */
  async publishNode(node: DeviceNode, force = false): Promise<void> {
    const name = this.nameOf(node);
    // Both decided and handed to the client before any await, so concurrent
    // calls for one node reach the broker in call order.
    const sends: Promise<void>[] = [];
    const availability = JSON.stringify({ state: node.online ? 'online' : 'offline' });
    if (force || this.#lastAvailability.get(node.id) !== availability) {
      this.#lastAvailability.set(node.id, availability);
      this.counts.availability += 1;
      sends.push(this.#send(availabilityTopic(this.base, name), availability, true));
    }
    // Before its first complete read a node has no state to tell: publishing
    // {} or a part would overwrite the retained last known state.
    const state = JSON.stringify(node.state);
    if (node.features !== undefined && (force || this.#lastState.get(node.id) !== state)) {
      this.#lastState.set(node.id, state);
      this.counts.state += 1;
      sends.push(this.#send(stateTopic(this.base, name), state, true));
    }
    await Promise.all(sends);
  }

  /**
   * Publishes discovery for `nodes` whose config changed (or all when
   * forced). One at a time: a run computes its configs up front and sends
   * them one by one, so a run started meanwhile (features a settings read
   * just added) must not be overtaken by the older run's stale configs.
   */
  async publishDiscovery(nodes: DeviceNode[], force = false, only?: ReadonlySet<string>): Promise<void> {
    const run = this.#discoveryRuns.then(() => this.#publishDiscovery(nodes, force, only));
    this.#discoveryRuns = run.catch(() => undefined);
    await run;
  }

  async #publishDiscovery(nodes: DeviceNode[], force: boolean, only?: ReadonlySet<string>): Promise<void> {
    if (!this.config.homeassistant.enabled) return;
    for (const node of nodes) {
      if (only && !only.has(node.id)) continue;
      this.#discoveryInputs.set(node.id, discoveryInputs(node, this.nameOf(node)));
    }
    // Built one config at a time as it is sent: runs never overlap (publishDiscovery), so none is stale.
    for (const message of eachDiscoveryMessage(nodes, this.discoveryOptions(), only)) {
      const payload = JSON.stringify(message.payload);
      const sent = digest(payload);
      if (!force && this.#lastDiscovery.get(message.topic) === sent) continue;
      this.#lastDiscovery.set(message.topic, sent);
      this.counts.discovery += 1;
      await this.#send(message.topic, payload, true);
    }
  }

  /**
   * Republishes discovery when a node's discovery inputs changed (the first
   * sysinfo reveals an energy meter, a rename). Cheap when nothing changed.
   */
  async refreshDiscovery(changed: DeviceNode[], all: () => DeviceNode[]): Promise<void> {
    const dirty = new Set<string>();
    for (const node of changed) {
      const inputs = discoveryInputs(node, this.nameOf(node));
      const known = this.#discoveryInputs.get(node.id);
      // Kept when equal too: the features compare by identity next time.
      this.#discoveryInputs.set(node.id, inputs);
      if (!known || !sameInputs(known, inputs)) dirty.add(node.id);
    }
    if (dirty.size === 0) return;
    // Only those nodes, and their outlets (whose via_device depends on whether the parent has entities).
    const nodes = all();
    for (const node of nodes) if (node.parentId !== undefined && dirty.has(node.parentId)) dirty.add(node.id);
    await this.publishDiscovery(nodes, false, dirty);
  }

  /** Clears the retained configs the other discovery mode left (after the setting changed). */
  async clearOtherDiscoveryMode(nodes: DeviceNode[]): Promise<void> {
    if (!this.config.homeassistant.enabled) return;
    for (const message of otherModeRemovals(nodes, this.discoveryOptions())) await this.#send(message.topic, '', true);
  }

  /** Clears a removed node: discovery configs and its retained topics. */
  async removeNode(node: DeviceNode, name = this.nameOf(node)): Promise<void> {
    this.#discoveryInputs.delete(node.id);
    if (this.config.homeassistant.enabled) {
      for (const message of removalMessages(node, this.discoveryOptions())) {
        this.#lastDiscovery.delete(message.topic);
        await this.#send(message.topic, '', true);
      }
    }
    await this.clearTopics(node.id, name);
  }

  /** Empties a node's retained state and availability (removal, or a rename of its topic). */
  async clearTopics(nodeId: string, name: string): Promise<void> {
    this.#lastState.delete(nodeId);
    this.#lastAvailability.delete(nodeId);
    await this.#send(stateTopic(this.base, name), '', true);
    await this.#send(availabilityTopic(this.base, name), '', true);
  }

  /** Forgets what was published so the next publish sends everything (after a reconnect). */
  forget(): void {
    this.#lastState.clear();
    this.#lastAvailability.clear();
    this.#lastDiscovery.clear();
    this.#discoveryInputs.clear();
  }

  async event<T extends BridgeEventType>(type: T, data: BridgeEventData<T>): Promise<void> {
    this.counts.other += 1;
    // Events carry error texts from the clouds: mask any secret that slipped into one.
    await this.#send(bridgeTopic(this.base, 'event'), secrets.scrub(JSON.stringify({ type, data })), false);
  }

  async bridge<K extends keyof BridgePayloads>(topic: K, payload: BridgePayloads[K]): Promise<void> {
    this.counts.other += 1;
    await this.#send(bridgeTopic(this.base, topic), JSON.stringify(payload), true);
  }

  async response(key: string, payload: BridgeResponse): Promise<void> {
    this.counts.other += 1;
    await this.#send(bridgeTopic(this.base, `response/${key}`), secrets.scrub(JSON.stringify(payload)), false);
  }

  discoveryOptions(): DiscoveryOptions {
    return {
      prefix: this.config.homeassistant.prefix,
      mode: this.config.homeassistant.discovery,
      baseTopic: this.base,
      topicName: (node: DeviceNode) => this.nameOf(node),
      bridgeId: this.bridgeId,
      version: VERSION,
    };
  }

  async #send(topic: string, payload: string, retain: boolean): Promise<void> {
    try {
      await this.mqtt.publish(topic, payload, { retain, qos: 1 });
    } catch (error) {
      // Will not pass by itself: the user has to raise the broker's limit.
      if (error instanceof PacketTooLargeError) return void this.logger.error({ topic, bytes: error.bytes, maxBytes: error.maxBytes }, error.message);
      // A dropped broker must not stop polling; the reconnect republishes everything.
      this.logger.warn({ topic, err: error }, 'publish failed');
    }
  }
}

/** What a node's discovery configs are made from: its texts, and its features (kept by reference, not copied). */
interface DiscoveryInputs {
  texts: readonly unknown[];
  features: DeviceNode['features'];
}

function discoveryInputs(node: DeviceNode, name: string): DiscoveryInputs {
  return { texts: [name, node.name, node.model, node.kind, node.parentId, node.swVersion, node.hwVersion, node.mac], features: node.features };
}

/** Every poll changes some state: the features (~1.5 KB of JSON) are only serialised when they are not the same object. */
function sameInputs(a: DiscoveryInputs, b: DiscoveryInputs): boolean {
  return a.texts.every((text, index) => text === b.texts[index]) && (a.features === b.features || sameFeatures(a.features, b.features));
}

/** What is kept to tell whether a large text changed: its SHA-1, not the text. */
function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

export type { DiscoveryMessage };
