import { describe, expect, it } from 'vitest';
import {
  TopicNameRegistry,
  availabilityTopic,
  bridgeTopic,
  parseInbound,
  slugify,
  stateTopic,
  subscriptions,
  type Inbound,
} from '../../src/mqtt/topics.js';

describe('slugify', () => {
  it.each([
    ['Living Room Lamp', 'living_room_lamp'],
    ['Kitchen/Plug', 'kitchen_plug'],
    ['a+b#c', 'a_b_c'],
    ['tab\there\nnewline\u0000nul', 'tab_here_newline_nul'],
    ['🔥 Heater 🔥', 'heater'],
    ['🔥🔥', ''],
    ['', ''],
    ['   ', ''],
    ['___', ''],
    ['Café Déjà Vu', 'cafe_deja_vu'],
    ['Straße', 'strasse'],
    ['Øresund Łódź', 'oresund_lodz'],
    ['already_ok-name', 'already_ok-name'],
    ['  Multiple   spaces!!  ', 'multiple_spaces'],
    ['UPPER case', 'upper_case'],
    ['Outlet 1', 'outlet_1'],
    ['日本語', ''],
    ['x'.repeat(200), 'x'.repeat(64)],
  ])('%j -> %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it('only ever yields [a-z0-9_-]', () => {
    for (let i = 0; i < 500; i++) {
      const chars = Array.from({ length: 1 + (i % 30) }, () => String.fromCodePoint(Math.floor(Math.random() * 0x1ffff)));
      const slug = slugify(chars.join(''));
      expect(slug).toMatch(/^([a-z0-9-]([a-z0-9_-]*[a-z0-9-])?)?$/);
    }
  });
});

describe('TopicNameRegistry', () => {
  it('uses the slug, the override, and falls back to the id', () => {
    const registry = new TopicNameRegistry({ kasa_2: { name: 'Garage Heater' }, kasa_3: { name: '🔥' } });
    const names = registry.assign([
      { id: 'kasa_1', name: 'Living Room' },
      { id: 'kasa_2', name: 'Plug' },
      { id: 'kasa_3', name: 'Desk' }, // override slugifies to '' -> alias
      { id: 'tapo_4', name: '💡' }, // nothing usable -> id
    ]);
    expect(Object.fromEntries(names)).toEqual({
      kasa_1: 'living_room',
      kasa_2: 'garage_heater',
      kasa_3: 'desk',
      tapo_4: 'tapo_4',
    });
    expect(registry.nameOf('kasa_2')).toBe('garage_heater');
    expect(registry.nameOf('nope')).toBeUndefined();
  });

  it('resolves by name and by id', () => {
    const registry = new TopicNameRegistry();
    registry.assign([{ id: 'kasa_abc', name: 'Lamp' }]);
    expect(registry.resolve('lamp')).toBe('kasa_abc');
    expect(registry.resolve('kasa_abc')).toBe('kasa_abc');
    expect(registry.resolve('Lamp')).toBeUndefined();
    expect(registry.resolve('other')).toBeUndefined();
  });

  it('resolves collisions deterministically: smallest id keeps the name, others get a hash suffix', () => {
    const nodes = [
      { id: 'kasa_b', name: 'Lamp' },
      { id: 'kasa_a', name: 'lamp' },
      { id: 'tapo_c', name: 'LAMP!' },
    ];
    const a = new TopicNameRegistry().assign(nodes);
    const b = new TopicNameRegistry().assign([...nodes].reverse());
    expect(a).toEqual(b);
    expect(a.get('kasa_a')).toBe('lamp');
    expect(a.get('kasa_b')).toMatch(/^lamp_[0-9a-f]{6}$/);
    expect(a.get('tapo_c')).toMatch(/^lamp_[0-9a-f]{6}$/);
    expect(a.get('kasa_b')).not.toBe(a.get('tapo_c'));
  });

  it('an override wins a collision with a plain alias', () => {
    const names = new TopicNameRegistry({ kasa_z: { name: 'lamp' } }).assign([
      { id: 'kasa_a', name: 'Lamp' },
      { id: 'kasa_z', name: 'Something' },
    ]);
    expect(names.get('kasa_z')).toBe('lamp');
    expect(names.get('kasa_a')).toMatch(/^lamp_[0-9a-f]{6}$/);
  });

  it('never gives a reserved name or another node id', () => {
    const names = new TopicNameRegistry().assign([
      { id: 'kasa_1', name: 'Bridge' },
      { id: 'kasa_2', name: 'kasa_3' },
      { id: 'kasa_3', name: '' },
    ]);
    expect(names.get('kasa_1')).toMatch(/^bridge_[0-9a-f]{6}$/);
    expect(names.get('kasa_2')).toMatch(/^kasa_3_[0-9a-f]{6}$/);
    expect(names.get('kasa_3')).toBe('kasa_3');
  });

  it('a suffixed name never steals another node base name', () => {
    const registry = new TopicNameRegistry();
    const probe = registry.assign([
      { id: 'x1', name: 'lamp' },
      { id: 'x2', name: 'lamp' },
    ]);
    const suffixed = probe.get('x2') ?? '';
    // Now a third node is literally called like x2's suffixed name.
    const names = registry.assign([
      { id: 'x1', name: 'lamp' },
      { id: 'x2', name: 'lamp' },
      { id: 'x3', name: suffixed },
    ]);
    expect(names.get('x3')).toBe(suffixed);
    expect(names.get('x2')).not.toBe(suffixed);
    expect(new Set(names.values()).size).toBe(3);
  });

  it('stays unique and order-independent over 1,000 random aliases with many collisions', () => {
    const words = ['Lamp', 'lamp', 'LAMP ', 'Plug', 'plug!', 'Heater', 'Fan', 'kasa_7', 'bridge', '🔥', '', 'Café', 'cafe'];
    const nodes = Array.from({ length: 1000 }, (_, i) => ({
      id: `${i % 2 ? 'kasa' : 'tapo'}_${i}`,
      name: `${words[i % words.length]}${i % 3 === 0 ? ` ${i % 17}` : ''}`,
    }));
    const registry = new TopicNameRegistry();
    const names = registry.assign(nodes);
    expect(names.size).toBe(1000);
    const values = [...names.values()];
    expect(new Set(values).size).toBe(1000);
    const ids = new Set(nodes.map((n) => n.id));
    for (const [id, name] of names) {
      expect(name).toMatch(/^[a-z0-9_-]+$|^[a-zA-Z0-9_-]+$/);
      expect(name).not.toBe('bridge');
      if (ids.has(name)) expect(name).toBe(id);
      expect(registry.resolve(name)).toBe(id);
      expect(registry.resolve(id)).toBe(id);
    }
    const shuffled = [...nodes].sort(() => Math.random() - 0.5);
    expect(new TopicNameRegistry().assign(shuffled)).toEqual(names);
  });
});

describe('parseInbound', () => {
  const cases: [string, Inbound | undefined][] = [
    ['tp/lamp/set', { type: 'set', target: 'lamp' }],
    ['tp/lamp/set/brightness', { type: 'set', target: 'lamp', attribute: 'brightness' }],
    ['tp/lamp/get', { type: 'get', target: 'lamp' }],
    ['tp/kasa_ABC/set', { type: 'set', target: 'kasa_ABC' }],
    ['tp/bridge/request/health_check', { type: 'bridge_request', key: 'health_check' }],
    ['homeassistant/status', { type: 'ha_status' }],
    ['tp/lamp', undefined], // our own state topic
    ['tp/lamp/availability', undefined],
    ['tp/bridge/state', undefined],
    ['tp/bridge/response/x', undefined],
    ['tp/bridge/request', undefined],
    ['tp/bridge/request/device/interview', { type: 'bridge_request', key: 'device/interview' }],
    ['tp/bridge/request/a/b/c', undefined],
    ['tp/bridge/set', { type: 'malformed_set', target: 'bridge', reason: expect.stringContaining('bridge takes no commands') as string }],
    ['tp/lamp/set/brightness/extra', undefined],
    ['tp/lamp/get/state', undefined],
    ['tp//set', { type: 'malformed_set', target: '', reason: 'malformed command topic "tp//set": empty device name or attribute' }],
    ['tp//set/state', { type: 'malformed_set', target: '', reason: 'malformed command topic "tp//set/state": empty device name or attribute' }],
    ['tp/lamp/set/', { type: 'malformed_set', target: 'lamp', reason: 'malformed command topic "tp/lamp/set/": empty device name or attribute' }],
    ['tp/+/set', undefined],
    ['tp/#', undefined],
    ['tp/la\u0000mp/set', undefined],
    ['tp', undefined],
    ['tp/', undefined],
    ['other/lamp/set', undefined],
    ['tpx/lamp/set', undefined],
    ['/tp/lamp/set', undefined],
    ['', undefined],
  ];
  it.each(cases)('%j', (topic, expected) => {
    expect(parseInbound(topic, 'tp', 'homeassistant/status')).toEqual(expected);
  });

  it('supports a base topic with several levels', () => {
    expect(parseInbound('home/tp/lamp/set', 'home/tp')).toEqual({ type: 'set', target: 'lamp' });
    expect(parseInbound('home/tp/bridge/request/x', 'home/tp')).toEqual({ type: 'bridge_request', key: 'x' });
    expect(parseInbound('homeassistant/status', 'home/tp')).toBeUndefined();
  });
});

describe('topic builders', () => {
  it('builds the zigbee2mqtt-style topics', () => {
    expect(stateTopic('tp', 'lamp')).toBe('tp/lamp');
    expect(availabilityTopic('tp', 'lamp')).toBe('tp/lamp/availability');
    expect(bridgeTopic('tp', 'state')).toBe('tp/bridge/state');
    expect(bridgeTopic('tp', 'response/health_check')).toBe('tp/bridge/response/health_check');
    expect(subscriptions('tp', 'homeassistant/status')).toEqual([
      'tp/+/set',
      'tp/+/set/+',
      'tp/+/get',
      'tp/bridge/request/+',
      'tp/bridge/request/+/+',
      'homeassistant/status',
    ]);
    expect(subscriptions('tp')).toHaveLength(5);
  });

  it('every subscription parses back to the kind it is for', () => {
    expect(parseInbound(stateTopic('tp', 'lamp'), 'tp')).toBeUndefined();
    expect(parseInbound(availabilityTopic('tp', 'lamp'), 'tp')).toBeUndefined();
    expect(parseInbound(bridgeTopic('tp', 'state'), 'tp')).toBeUndefined();
  });
});
