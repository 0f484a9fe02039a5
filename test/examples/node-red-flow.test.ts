/**
 * examples/node-red/flow.json: an importable flow whose topics, payloads and
 * status paths are the bridge's, proven first on the file, then by doing
 * what Node-RED would do against the demo bridge.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSetPayload } from '../../src/commands/parse.js';
import type { DeviceNode } from '../../src/model/node.js';
import { parseInbound } from '../../src/mqtt/topics.js';
import type { Harness } from '../bridge/harness.js';
import { simId, simPower, writes } from '../reliability/helpers.js';
import { atPath, BASE, demoHarness, eventTypes, HA_STATUS, provokeRejected, publishedTopic, readExample } from './helpers.js';

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  x?: number;
  y?: number;
  wires?: string[][];
  [property: string]: unknown;
}

const CONFIG_TYPES = new Set(['tab', 'mqtt-broker']);
// Core nodes only: a flow that needs a palette install, or hides logic in a function node, is a worse example.
const ALLOWED_TYPES = new Set([...CONFIG_TYPES, 'mqtt in', 'mqtt out', 'inject', 'debug', 'change', 'switch', 'comment']);

const flow = JSON.parse(readExample('node-red/flow.json')) as FlowNode[];
const ofType = (type: string): FlowNode[] => flow.filter((node) => node.type === type);
const byId = new Map(flow.map((node) => [node.id, node]));
const targets = (node: FlowNode): FlowNode[] => (node.wires ?? []).flat().map((id) => byId.get(id) as FlowNode);

function text(node: FlowNode, property: string): string {
  const value = node[property];
  if (typeof value !== 'string') throw new Error(`${node.type} ${node.id}: ${property} is not a string`);
  return value;
}

/** What Node-RED sends for an inject: strings as they are, JSON re-serialized by the mqtt out node. */
function injected(inject: FlowNode): string {
  const payload = text(inject, 'payload');
  return text(inject, 'payloadType') === 'json' ? JSON.stringify(JSON.parse(payload)) : payload;
}

const setTarget = (out: FlowNode): string => {
  const inbound = parseInbound(text(out, 'topic'), BASE, HA_STATUS);
  if (inbound?.type !== 'set') throw new Error(`${text(out, 'topic')} is not a set topic`);
  return inbound.target;
};

describe('the flow file', () => {
  it('is an array of nodes with unique ids, all on the one tab, wired to nodes that exist', () => {
    expect(Array.isArray(flow)).toBe(true);
    expect(new Set(flow.map((node) => node.id)).size).toBe(flow.length);
    const tabs = ofType('tab');
    expect(tabs).toHaveLength(1);
    for (const node of flow.filter((candidate) => !CONFIG_TYPES.has(candidate.type))) {
      expect(node.z, node.id).toBe(tabs[0]?.id);
      expect([typeof node.x, typeof node.y], node.id).toEqual(['number', 'number']);
      expect(Array.isArray(node.wires), node.id).toBe(true);
      for (const target of (node.wires ?? []).flat()) expect(byId.get(target)?.z, `${node.id} -> ${target}`).toBe(node.z);
    }
  });

  it('uses core nodes only, and one broker that every MQTT node points at', () => {
    expect(flow.map((node) => node.type).filter((type) => !ALLOWED_TYPES.has(type))).toEqual([]);
    const brokers = ofType('mqtt-broker');
    expect(brokers).toHaveLength(1);
    expect(brokers[0]).toMatchObject({ broker: 'localhost', port: '1883', protocolVersion: '4' });
    for (const node of [...ofType('mqtt in'), ...ofType('mqtt out')]) expect(node.broker, node.id).toBe(brokers[0]?.id);
  });

  it('publishes only commands, never retained (the bridge ignores retained ones)', () => {
    expect(ofType('mqtt out').length).toBeGreaterThan(0);
    for (const out of ofType('mqtt out')) {
      expect(['set', 'get', 'bridge_request'], text(out, 'topic')).toContain(parseInbound(text(out, 'topic'), BASE, HA_STATUS)?.type);
      expect(out.retain, out.id).toBe('false');
      expect(['0', '1', '2']).toContain(out.qos);
    }
  });

  it('subscribes only to topics the bridge publishes, as JSON', () => {
    for (const input of ofType('mqtt in')) {
      expect(publishedTopic(text(input, 'topic')), text(input, 'topic')).toBeDefined();
      expect(input).toMatchObject({ datatype: 'json', inputs: 0 });
    }
  });

  it('has buttons wired straight to a command topic, firing only when clicked', () => {
    const injects = ofType('inject');
    expect(injects.map((inject) => inject.name)).toEqual(expect.arrayContaining(['Toggle', 'On', 'Off']));
    for (const inject of injects) {
      // Straight, so the payload checked below is the payload sent.
      expect(targets(inject).map((target) => target.type), inject.id).toEqual(['mqtt out']);
      expect(inject).toMatchObject({ props: [{ p: 'payload' }], repeat: '', once: false });
      expect(['str', 'json']).toContain(inject.payloadType);
    }
  });

  it('filters events by a type the bridge really sends', () => {
    for (const filter of ofType('switch').filter((node) => node.property === 'payload.type')) {
      const rules = filter.rules as { t: string; v: string }[];
      for (const rule of rules) expect(eventTypes(), rule.v).toContain(rule.v);
      expect(filter.wires).toHaveLength(rules.length);
    }
  });
});

describe('the flow against the demo bridge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await demoHarness();
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  }, 30_000);

  const nodeOf = (name: string): DeviceNode => {
    const id = h.bridge.names.resolve(name);
    const node = id === undefined ? undefined : h.bridge.store.get(id);
    if (!node) throw new Error(`the demo has no node named ${name}`);
    return node;
  };

  it('drives an outlet of a power strip', () => {
    for (const out of ofType('mqtt out')) {
      const outlet = nodeOf(setTarget(out));
      expect(outlet.kind).toBe('outlet');
      expect(outlet.parentId && h.bridge.store.get(outlet.parentId)?.kind).toBe('strip');
    }
  });

  it('sends payloads the command parser accepts for that node', () => {
    for (const inject of ofType('inject')) {
      for (const out of targets(inject)) {
        expect(parseSetPayload(injected(inject), undefined, nodeOf(setTarget(out))), inject.id).toMatchObject({ ok: true });
      }
    }
  });

  /** Follows wires from `node` with `msg`, through switch rules as Node-RED would, to the debug nodes it reaches. */
  function debugsReached(node: FlowNode, msg: Record<string, unknown>): FlowNode[] {
    if (node.type === 'debug') return [node];
    if (node.type === 'change') throw new Error('a change node: teach this test what it does to msg');
    let outputs = node.wires ?? [];
    if (node.type === 'switch') {
      const rules = node.rules as { t: string; v: string }[];
      const first = rules.findIndex((rule) => rule.t === 'eq' && atPath(msg, text(node, 'property')) === rule.v);
      outputs = first === -1 ? [] : [outputs[first] ?? []];
    }
    return outputs.flat().flatMap((id) => debugsReached(byId.get(id) as FlowNode, msg));
  }

  it.each(ofType('mqtt in').map((input) => [text(input, 'topic'), input] as const))(
    '%s: names a demo node and delivers JSON that every debug status path finds',
    async (topic, input) => {
      const published = publishedTopic(topic);
      if (published?.kind !== 'bridge') expect(h.bridge.names.resolve(published?.name ?? ''), topic).toBeDefined();
      const url = h.config.mqtt.url || h.bridge.broker?.url;
      const client = await mqtt.connectAsync(url ?? '', { protocolVersion: 4, clientId: `node-red-${input.id}` });
      try {
        const received: string[] = [];
        client.on('message', (_topic, payload) => received.push(payload.toString('utf8')));
        await client.subscribeAsync(topic, { qos: Number(input.qos) as 0 | 1 | 2 });
        // Events are not retained: make one happen (a refused command is one the flow shows).
        if (published?.kind === 'bridge' && published.subtopic === 'event') await provokeRejected(h, setTarget(ofType('mqtt out')[0] as FlowNode));
        await h.waitFor(() => received.length > 0, 5_000, `a message on ${topic}`);
        const msg = { topic, payload: JSON.parse(received[0] ?? '') as unknown };
        expect(typeof msg.payload).toBe('object');
        const debugs = targets(input).flatMap((target) => debugsReached(target, msg));
        expect(debugs.length, 'no debug node shows this message').toBeGreaterThan(0);
        for (const debug of debugs.filter((node) => node.tostatus === true && node.statusType === 'msg')) {
          expect(atPath(msg, text(debug, 'statusVal')), `${topic}: ${text(debug, 'statusVal')}`).toBeDefined();
        }
      } finally {
        await client.endAsync(true);
      }
    },
    15_000,
  );

  it('each button switches the outlet in the cloud and on its state topic', async () => {
    for (const inject of ofType('inject')) {
      for (const out of targets(inject)) {
        const outlet = nodeOf(setTarget(out));
        if (outlet.address.cloud !== 'kasa' || !outlet.address.childId) throw new Error('expected a Kasa strip outlet');
        const payload = injected(inject);
        const before = simPower(h.sim, outlet);
        const word = (parseSetPayload(payload, undefined, outlet) as { desired: { state?: string } }).desired.state;
        const wanted = word === 'TOGGLE' ? (before === 'ON' ? 'OFF' : 'ON') : word;
        const from = writes(h.sim).length;
        await h.publish(text(out, 'topic'), payload, { qos: Number(out.qos) as 0 | 1, retain: out.retain === 'true' });
        await h.waitFor(() => writes(h.sim).length > from, 5_000, `the cloud write for inject ${inject.id}`);
        const body = writes(h.sim)[from]?.body as { params?: { requestData?: unknown } };
        expect(body.params?.requestData, String(inject.name)).toEqual({
          context: { child_ids: [simId(outlet)] },
          system: { set_relay_state: { state: wanted === 'ON' ? 1 : 0 } },
        });
        await h.waitFor(() => h.lastJson<{ state?: string }>(`${BASE}/${h.nameOf(outlet.id)}`)?.state === wanted, 5_000, `state ${wanted}`);
        await h.waitFor(() => simPower(h.sim, outlet) === wanted, 5_000, `the simulated outlet ${wanted}`);
      }
    }
  }, 30_000);
});
