/**
 * examples/homeassistant/automations.yaml: every entity it names is one the
 * bridge's discovery creates for the demo devices, every MQTT trigger fires
 * on a message the real bridge sends, and every field it reads from that
 * message is there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { entityCatalogue } from '../../src/homeassistant/entities.js';
import type { Harness, Message } from '../bridge/harness.js';
import { atPath, BASE, demoHarness, eventTypes, provokeFailed, provokeRejected, publishedTopic, readExample } from './helpers.js';
import { show } from '../helpers/show.js';

type Automation = Record<string, unknown>;
interface Discovered {
  component: string;
  unit?: string;
}

const automations = parse(readExample('homeassistant/automations.yaml')) as Automation[];
const DOMAINS: string[] = [...new Set(entityCatalogue().map((entity) => entity.component))];
const ENTITY_IN_TEMPLATE = new RegExp(`['"]((?:${DOMAINS.join('|')})\\.[a-z0-9_]+)['"]`, 'g');

/** Every mapping in a parsed YAML tree, depth first. */
function objects(tree: unknown): Automation[] {
  if (Array.isArray(tree)) return tree.flatMap(objects);
  if (typeof tree !== 'object' || tree === null) return [];
  return [tree as Automation, ...Object.values(tree).flatMap(objects)];
}

const entries = (tree: unknown): [string, unknown][] => objects(tree).flatMap((object) => Object.entries(object));

function strings(tree: unknown): string[] {
  if (typeof tree === 'string') return [tree];
  if (Array.isArray(tree)) return tree.flatMap(strings);
  return typeof tree === 'object' && tree !== null ? Object.values(tree).flatMap(strings) : [];
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** entity_id values (string or list, `target:` included) and entity ids quoted inside templates. */
function entityIds(tree: unknown): string[] {
  const keyed = entries(tree).flatMap(([key, value]) => (key === 'entity_id' ? asList(value).map(String) : []));
  const templated = strings(tree)
    .filter((text) => text.includes('{{') || text.includes('{%'))
    .flatMap((text) => [...text.matchAll(ENTITY_IN_TEMPLATE)].map((match) => match[1] as string));
  return [...keyed, ...templated];
}

/**
 * The small Jinja subset the examples use: `{{ path }}` and
 * `{{ path == 'literal' }}` (or !=). Anything else fails the test, rather
 * than being guessed at.
 */
function render(template: string, vars: Record<string, unknown>): string {
  const match = /^\{\{\s*([a-z_][\w.]*)\s*(?:(==|!=)\s*'([^']*)'\s*)?\}\}$/.exec(template.trim());
  if (!match?.[1]) throw new Error(`template this test cannot evaluate: ${template}`);
  const value = atPath(vars, match[1]);
  if (match[2] === undefined) return value === undefined ? '' : show(value);
  return (value === match[3]) === (match[2] === '==') ? 'True' : 'False';
}

const mqttTriggers = (automation: Automation): Automation[] =>
  asList(automation.triggers).filter((trigger): trigger is Automation => (trigger as Automation).trigger === 'mqtt');

/** Home Assistant's MQTT trigger, then the automation's conditions, on one message. */
function fires(automation: Automation, trigger: Automation, message: Message): boolean {
  if (message.topic !== trigger.topic || message.payload === '') return false;
  const payloadJson = JSON.parse(message.payload) as unknown;
  if (trigger.payload !== undefined) {
    const value = typeof trigger.value_template === 'string' ? render(trigger.value_template, { value_json: payloadJson }) : message.payload;
    if (value !== show(trigger.payload)) return false;
  }
  return asList(automation.conditions).every((raw) => {
    const condition = raw as Automation;
    if (condition.condition !== 'template') throw new Error(`condition ${show(condition.condition)} after an MQTT trigger: teach this test`);
    return render(show(condition.value_template), { trigger: { topic: message.topic, payload_json: payloadJson } }) === 'True';
  });
}

describe('the automations file', () => {
  it('has id, alias, triggers and actions in every automation, in the current syntax', () => {
    expect(automations.length).toBeGreaterThanOrEqual(4);
    for (const automation of automations) {
      expect(Object.keys(automation), show(automation.alias)).toEqual(expect.arrayContaining(['id', 'alias', 'triggers', 'actions']));
      expect(asList(automation.triggers).length).toBeGreaterThan(0);
      expect(asList(automation.actions).length).toBeGreaterThan(0);
    }
    expect(new Set(automations.map((automation) => automation.id)).size).toBe(automations.length);
    // platform: / service: are the pre-2024.10 spellings of trigger: / action:.
    expect(entries(automations).filter(([key]) => key === 'platform' || key === 'service')).toEqual([]);
  });

  it('triggers on MQTT only where the bridge publishes', () => {
    const topics = automations.flatMap((automation) => mqttTriggers(automation).map((trigger) => show(trigger.topic)));
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(publishedTopic(topic), topic).toBeDefined();
  });

  it("compares event types against the bridge's own (BridgeEventType)", () => {
    const compared = strings(automations).flatMap((text) => [...text.matchAll(/\.type\s*[!=]=\s*'([^']*)'/g)].map((match) => match[1]));
    expect(compared.length).toBeGreaterThan(0);
    for (const type of compared) expect(eventTypes()).toContain(type);
  });
});

describe('the automations against the demo bridge', () => {
  let h: Harness;
  const discovered = new Map<string, Discovered>();

  beforeAll(async () => {
    h = await demoHarness();
    // Retained last: a removed config (empty payload) must not count.
    const configs = new Map<string, string>();
    for (const message of h.messages.filter((m) => m.topic.startsWith(`${h.config.homeassistant.prefix}/`))) configs.set(message.topic, message.payload);
    for (const payload of [...configs.values()].filter((p) => p !== '')) {
      const config = JSON.parse(payload) as { cmps?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
      // Device discovery nests components under cmps; entity discovery is one component per config.
      for (const component of config.cmps ? Object.values(config.cmps) : [config]) {
        const id = component.default_entity_id;
        const platform = component.p ?? component.platform ?? show(id).split('.')[0];
        if (typeof id === 'string') discovered.set(id, { component: show(platform), unit: component.unit_of_measurement as string | undefined });
      }
    }
    // The messages the MQTT-triggered automations are about, made to happen for real.
    await provokeFailed(h, 'Hall Lamp');
    await provokeRejected(h, h.nameOf(h.node('Hall Lamp').id));
    await h.bridge.stop();
    await h.waitForMessage(`${BASE}/bridge/state`, (payload) => payload.includes('offline'));
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it('names only entities the bridge creates, of the matching domain', () => {
    const used = entityIds(automations);
    expect(used.length).toBeGreaterThan(0);
    expect(discovered.size).toBeGreaterThan(20);
    for (const id of used) {
      expect(discovered.has(id), `${id} is not a default_entity_id of the demo's discovery`).toBe(true);
      expect(discovered.get(id)?.component).toBe(id.split('.')[0]);
    }
  });

  it("calls each entity's own domain's actions", () => {
    for (const call of objects(automations).filter((object) => typeof object.action === 'string')) {
      const domain = show(call.action).split('.')[0] ?? '';
      if (!DOMAINS.includes(domain)) continue;
      for (const id of entityIds(call)) expect(id.split('.')[0], `${show(call.action)} on ${id}`).toBe(domain);
    }
  });

  it('compares numbers only against sensors that have a unit', () => {
    const numeric = objects(automations).filter((object) => object.trigger === 'numeric_state');
    expect(numeric.length).toBeGreaterThan(0);
    for (const id of entityIds(numeric)) expect(discovered.get(id)?.unit, id).toBeTruthy();
  });

  it.each(automations.filter((automation) => mqttTriggers(automation).length > 0).map((automation) => [automation.alias, automation] as const))(
    '%s: fires on a real bridge message that has every field it reads',
    (_alias, automation) => {
      const firing = mqttTriggers(automation).flatMap((trigger) => h.messages.filter((message) => fires(automation, trigger, message)));
      expect(firing.length, 'no message of the bridge fires it').toBeGreaterThan(0);
      const read = strings(automation).flatMap((text) => [...text.matchAll(/trigger\.payload_json\.([\w.]+)/g)].map((match) => match[1] as string));
      for (const message of firing) {
        for (const path of read) expect(atPath(JSON.parse(message.payload), path), `${message.payload} lacks ${path}`).toBeDefined();
      }
    },
  );
});
