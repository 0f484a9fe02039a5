/** The node store's rules: features kept, re-interviews, and the ordering of reads and commands. */
import { describe, expect, it } from 'vitest';
import { featureSet } from '../../src/model/feature.js';
import { ENERGY, LED, POWER, RSSI, STATE } from '../../src/model/features.js';
import type { NodeIdentity } from '../../src/model/node.js';
import type { NodeReading } from '../../src/model/reading.js';
import { NodeStore } from '../../src/runtime/node-store.js';

const identity = (over: Partial<NodeIdentity> = {}): NodeIdentity => ({
  id: 'kasa_A',
  cloud: 'kasa',
  kind: 'plug',
  name: 'Plug',
  model: 'HS110',
  modelFull: 'HS110(EU)',
  swVersion: '1.0',
  address: { cloud: 'kasa', deviceId: 'A', appServerUrl: '' },
  online: true,
  ...over,
});

const full = (sentAt: number, values: NodeReading['values'], over: Partial<NodeReading> = {}): NodeReading => ({
  id: 'kasa_A',
  identity: identity(),
  features: featureSet([STATE, POWER, ENERGY, LED, RSSI]),
  values,
  source: 'read',
  sentAt,
  ...over,
});

function interviewed(): NodeStore {
  const store = new NodeStore();
  store.applyList('kasa', [identity()]);
  store.applyReadings([full(1, { state: 'ON', power: 10, energy: 1, led: 'ON', rssi: -50 })]);
  return store;
}

describe('NodeStore', () => {
  it('a listed node has no features and no state until its first complete read', () => {
    const store = new NodeStore();
    store.applyList('kasa', [identity()]);
    expect(store.get('kasa_A')).toMatchObject({ state: {} });
    expect(store.get('kasa_A')?.features).toBeUndefined();
  });

  it('list reads, partial reads and reads missing a module never remove a feature', () => {
    const store = interviewed();
    store.applyList('kasa', [identity({ name: 'Renamed' })]);
    expect(store.get('kasa_A')?.name).toBe('Renamed');
    store.applyReadings([{ id: 'kasa_A', values: { power: 3 }, source: 'energy', sentAt: 2 }]);
    store.applyReadings([full(3, { state: 'OFF', led: 'ON' }, { features: featureSet([STATE, LED]) })]);
    expect(Object.keys(store.get('kasa_A')?.features ?? {})).toEqual(['state', 'power', 'energy', 'led', 'rssi']);
    expect(store.get('kasa_A')?.state).toEqual({ state: 'OFF', power: 3, energy: 1, led: 'ON', rssi: -50 });
  });

  it('a firmware or model change, or a request, makes the next complete read fix the features anew', () => {
    const store = interviewed();
    // The complete read that sees the new firmware fixes the features anew; later ones only add.
    store.applyReadings([full(2, { state: 'ON' }, { identity: identity({ swVersion: '2.0' }), features: featureSet([STATE]) })]);
    expect(Object.keys(store.get('kasa_A')?.features ?? {})).toEqual(['state']);
    store.applyReadings([full(3, { state: 'ON' }, { identity: identity({ swVersion: '2.0' }), features: featureSet([STATE, LED]) })]);
    expect(Object.keys(store.get('kasa_A')?.features ?? {})).toEqual(['state', 'led']);
    store.requestInterview('kasa_A');
    store.applyReadings([full(4, { state: 'ON' }, { identity: identity({ swVersion: '2.0' }), features: featureSet([STATE, RSSI]) })]);
    expect(Object.keys(store.get('kasa_A')?.features ?? {})).toEqual(['state', 'rssi']);
  });

  it('a read sent before a command settled never overwrites what the command set; later reads do', () => {
    const store = interviewed();
    store.beginCommand('kasa_A', { state: 'OFF', power: 0 }, 10);
    expect(store.provenance('kasa_A', 'state')).toEqual({ source: 'command', at: 10 });
    store.applyReadings([full(9, { state: 'ON', power: 10, rssi: -40 })]);
    expect(store.get('kasa_A')?.state).toMatchObject({ state: 'OFF', power: 0, rssi: -40 });
    store.settleCommand('kasa_A', ['state', 'power'], true, 20);
    store.applyReadings([full(15, { state: 'ON', power: 10 })]);
    expect(store.get('kasa_A')?.state).toMatchObject({ state: 'OFF', power: 0 });
    store.applyReadings([full(21, { state: 'OFF', power: 0.5 })]);
    expect(store.get('kasa_A')?.state).toMatchObject({ state: 'OFF', power: 0.5 });
    expect(store.provenance('kasa_A', 'power')).toEqual({ source: 'read', at: 21 });
  });

  it('a failed command restores the last values read', () => {
    const store = interviewed();
    store.beginCommand('kasa_A', { state: 'OFF', power: 0, led: 'OFF' }, 10);
    store.applyReadings([full(11, { led: 'ON', rssi: -45 })]);
    store.settleCommand('kasa_A', ['state', 'power', 'led'], false, 12);
    expect(store.get('kasa_A')?.state).toEqual({ state: 'ON', power: 10, energy: 1, led: 'ON', rssi: -45 });
  });

  it('outlets stay while their strip is listed; a removed device takes its outlets along', () => {
    const store = new NodeStore();
    const strip = identity({ id: 'kasa_S', kind: 'strip' });
    const outlet = identity({ id: 'kasa_S00', kind: 'outlet', parentId: 'kasa_S' });
    store.applyList('kasa', [strip]);
    store.applyReadings([{ id: 'kasa_S00', identity: outlet, features: featureSet([STATE]), values: { state: 'ON' }, source: 'read', sentAt: 1 }]);
    expect(store.applyList('kasa', [strip]).removed).toEqual([]);
    expect(store.applyList('kasa', []).removed.map((n) => n.id).sort()).toEqual(['kasa_S', 'kasa_S00']);
  });

  it('childrenOf follows outlets as they come, move to another parent and go', () => {
    const store = new NodeStore();
    const stripA = identity({ id: 'kasa_S', kind: 'strip' });
    const stripB = identity({ id: 'kasa_T', kind: 'strip', address: { cloud: 'kasa', deviceId: 'T', appServerUrl: '' } });
    const outlet = (id: string, parentId: string) => identity({ id, kind: 'outlet', parentId });
    const read = (id: string, parentId: string): NodeReading => ({
      id,
      identity: outlet(id, parentId),
      features: featureSet([STATE]),
      values: { state: 'ON' },
      source: 'read',
      sentAt: 1,
    });
    store.applyList('kasa', [stripA, stripB]);
    store.applyReadings([read('kasa_S00', 'kasa_S'), read('kasa_S01', 'kasa_S')]);
    expect(store.childrenOf('kasa_S').map((n) => n.id)).toEqual(['kasa_S00', 'kasa_S01']);
    expect(store.childrenOf('kasa_T')).toEqual([]);
    // A read that names another parent moves the outlet.
    store.applyReadings([read('kasa_S01', 'kasa_T')]);
    expect(store.childrenOf('kasa_S').map((n) => n.id)).toEqual(['kasa_S00']);
    expect(store.childrenOf('kasa_T').map((n) => n.id)).toEqual(['kasa_S01']);
    store.applyList('kasa', [stripB]);
    expect(store.childrenOf('kasa_S')).toEqual([]);
    expect(store.childrenOf('kasa_T').map((n) => n.id)).toEqual(['kasa_S01']);
    expect(store.childrenOf('kasa_A')).toEqual([]);
  });
});
