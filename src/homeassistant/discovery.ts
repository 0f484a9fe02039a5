/**
 * Home Assistant MQTT discovery for nodes and for the bridge itself. Pure:
 * the bridge publishes the messages retained (QoS 1), in the order given
 * (bridge first, then parents before their outlets, so `via_device` always
 * names a device HA already knows).
 */
import { safeId, type DeviceNode } from '../model/node.js';
import { bridgeDeviceBlock, nodeDeviceBlock, nodeIdentifier, originBlock } from './device-block.js';
import { entityCatalogue, nodeEntities, type EntityConfig } from './entities.js';
import { bridgeTopic, entitySlug } from '../mqtt/topics.js';

const bridgeStateTopic = (base: string) => bridgeTopic(base, 'state');
const bridgeInfoTopic = (base: string) => bridgeTopic(base, 'info');

export interface DiscoveryOptions {
  /** Discovery prefix, normally "homeassistant". */
  prefix: string;
  /** One `<prefix>/device/<id>/config` per node, or one config per entity. */
  mode: 'device' | 'entity';
  baseTopic: string;
  /** The node's state topic segment, e.g. "living_room_lamp". */
  topicName: (node: DeviceNode) => string;
  /** e.g. "tplink_cloud_mqtt_<installation>": the bridge device's identifier. */
  bridgeId: string;
  version: string;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** Publish `payload` as an empty retained message: it removes the config. */
export interface RemovalMessage {
  topic: string;
  payload: '';
}

function deviceTopic(options: DiscoveryOptions, id: string): string {
  return `${options.prefix}/device/${safeId(id)}/config`;
}

function entityTopic(options: DiscoveryOptions, component: string, id: string, object: string): string {
  return `${options.prefix}/${component}/${safeId(id)}/${safeId(object)}/config`;
}

// Root options HA copies into every component that lacks them (SHARED_OPTIONS).
const HOISTABLE = ['availability', 'availability_mode', 'state_topic'];

/**
 * Options every component sets identically move to the device payload's
 * root, which HA copies back into each component: same entities, a payload
 * a fraction of the size. An option some component lacks stays put, or HA
 * would hand it to that component too.
 */
function sharedOptions(entities: EntityConfig[]): Record<string, unknown> {
  const shared: Record<string, unknown> = {};
  for (const key of HOISTABLE) {
    const values = entities.map((e) => (key in e.config ? JSON.stringify(e.config[key]) : undefined));
    const first = values[0];
    if (first !== undefined && values.every((v) => v === first)) shared[key] = entities[0]?.config[key];
  }
  return shared;
}

/** Wraps one device's entities in the configured discovery mode. */
function wrap(
  id: string,
  device: Record<string, unknown>,
  entities: EntityConfig[],
  options: DiscoveryOptions,
): DiscoveryMessage[] {
  if (entities.length === 0) return [];
  const origin = originBlock(options.version);
  if (options.mode === 'device') {
    const shared = sharedOptions(entities);
    const components: Record<string, unknown> = {};
    for (const e of entities) {
      const own = Object.fromEntries(Object.entries(e.config).filter(([key]) => !(key in shared)));
      components[e.object] = { p: e.component, ...own };
    }
    return [{ topic: deviceTopic(options, id), payload: { dev: device, o: origin, ...shared, cmps: components } }];
  }
  return entities.map((e) => ({
    topic: entityTopic(options, e.component, id, e.object),
    payload: { ...e.config, device, origin },
  }));
}

/** Parents first (input order kept otherwise): HA resolves via_device when it creates a device. */
function parentsFirst(nodes: DeviceNode[]): DeviceNode[] {
  return [...nodes.filter((n) => !n.parentId), ...nodes.filter((n) => n.parentId)];
}

/** Discovery for the nodes whose features are known (interviewed); the others wait. */
export function discoveryMessages(allNodes: DeviceNode[], options: DiscoveryOptions): DiscoveryMessage[] {
  return [...eachDiscoveryMessage(allNodes, options)];
}

/**
 * The same messages one node at a time, each built when it is asked for
 * (1,000 devices' configs built up front were ~15 MB held at once), for the
 * nodes in `only` when given (their parents are looked at, not sent).
 */
export function* eachDiscoveryMessage(allNodes: DeviceNode[], options: DiscoveryOptions, only?: ReadonlySet<string>): Generator<DiscoveryMessage> {
  const nodes = allNodes.filter((node) => node.features !== undefined);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const entitiesOf = (node: DeviceNode) => nodeEntities(node, { baseTopic: options.baseTopic, name: options.topicName(node) });
  /** Whether a parent has entities of its own (computed once per parent). */
  const shown = new Map<string, boolean>();
  const isShown = (id: string): boolean => {
    let known = shown.get(id);
    if (known === undefined) {
      const parent = byId.get(id);
      known = parent !== undefined && entitiesOf(parent).length > 0;
      shown.set(id, known);
    }
    return known;
  };
  const bridgeId = safeId(options.bridgeId);
  for (const node of parentsFirst(nodes)) {
    if (only && !only.has(node.id)) continue;
    const entities = entitiesOf(node);
    shown.set(node.id, entities.length > 0);
    // A strip with no entity of its own is no HA device: hang its outlets off the bridge.
    const via = node.parentId !== undefined && isShown(node.parentId) ? nodeIdentifier(node.parentId) : bridgeId;
    yield* wrap(node.id, nodeDeviceBlock(node, via), entities, options);
  }
}

/**
 * The bridge as a device: connection state (from `<base>/bridge/state`),
 * device count and last poll duration (from `<base>/bridge/info` keys
 * `device_count` and `last_poll_duration_s`, null when unknown).
 */
export function bridgeDiscovery(options: DiscoveryOptions): DiscoveryMessage[] {
  return wrap(safeId(options.bridgeId), bridgeDeviceBlock(safeId(options.bridgeId), options.version), bridgeEntities(options), options);
}

function bridgeEntities(options: DiscoveryOptions): EntityConfig[] {
  const bridgeId = safeId(options.bridgeId);
  const base = options.baseTopic;
  // Entity ids users can write in automations: stable across installations (the
  // unique_id carries the installation), one set per base topic.
  const slug = `${entitySlug(base)}_bridge`;
  const availability = {
    availability: [{ topic: bridgeStateTopic(base), value_template: '{{ value_json.state }}' }],
    availability_mode: 'all',
  };
  const common = (component: string, object: string) => ({
    unique_id: `${bridgeId}_${object}`,
    default_entity_id: `${component}.${slug}_${object}`,
    entity_category: 'diagnostic',
  });
  const entities: EntityConfig[] = [
    {
      component: 'binary_sensor',
      object: 'connection_state',
      // No availability here: this entity must show "disconnected", not "unavailable".
      config: {
        name: 'Connection state',
        ...common('binary_sensor', 'connection_state'),
        device_class: 'connectivity',
        state_topic: bridgeStateTopic(base),
        value_template: '{{ value_json.state }}',
        payload_on: 'online',
        payload_off: 'offline',
      },
    },
    {
      component: 'sensor',
      object: 'device_count',
      config: {
        name: 'Device count',
        ...common('sensor', 'device_count'),
        state_topic: bridgeInfoTopic(base),
        value_template: '{{ value_json.device_count }}',
        state_class: 'measurement',
        icon: 'mdi:counter',
        ...availability,
      },
    },
    {
      component: 'sensor',
      object: 'last_poll_duration',
      config: {
        name: 'Last poll duration',
        ...common('sensor', 'last_poll_duration'),
        state_topic: bridgeInfoTopic(base),
        value_template: '{{ value_json.last_poll_duration_s }}',
        device_class: 'duration',
        unit_of_measurement: 's',
        state_class: 'measurement',
        suggested_display_precision: 1,
        ...availability,
      },
    },
  ];
  return entities;
}

/**
 * Empty retained payloads that remove every config a node may have left, in
 * both discovery modes and for every entity it could ever have had: a mode
 * switch or a lost capability then leaves no ghost entity.
 */
export function removalMessages(node: DeviceNode, options: DiscoveryOptions): RemovalMessage[] {
  return [
    { topic: deviceTopic(options, node.id), payload: '' },
    ...entityCatalogue().map(({ component, object }) => ({
      topic: entityTopic(options, component, node.id, object),
      payload: '' as const,
    })),
  ];
}

/**
 * Empty retained payloads clearing what the OTHER discovery mode left for
 * these nodes and for the bridge: after `homeassistant.discovery` changed,
 * no entity exists twice in Home Assistant.
 */
export function otherModeRemovals(nodes: DeviceNode[], options: DiscoveryOptions): RemovalMessage[] {
  const bridgeId = safeId(options.bridgeId);
  if (options.mode === 'entity') {
    return [bridgeId, ...nodes.map((node) => node.id)].map((id) => ({ topic: deviceTopic(options, id), payload: '' as const }));
  }
  const bridge = bridgeEntities(options).map((e) => ({ topic: entityTopic(options, e.component, bridgeId, e.object), payload: '' as const }));
  const catalogue = entityCatalogue();
  const ofNodes = nodes.flatMap((node) =>
    catalogue.map(({ component, object }) => ({ topic: entityTopic(options, component, node.id, object), payload: '' as const })),
  );
  return [...bridge, ...ofNodes];
}
