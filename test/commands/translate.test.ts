import { describe, expect, it } from 'vitest';
import { mergeDesired, optimisticState, resolveToggle } from '../../src/commands/translate.js';
import { bulb, meteredPlug, plug } from './nodes.js';
import { featureSet, readOnly } from '../../src/model/feature.js';
import { FIRMWARE } from '../../src/model/features.js';
import { parseSetPayload } from '../../src/commands/parse.js';

describe('optimisticState', () => {
  it('applies the command over the current state', () => {
    const node = { ...bulb, state: { state: 'OFF' as const, brightness: 20, color_temp: 3000, color_mode: 'color_temp' as const, rssi: -50 } };
    // Only what changes: the store guards exactly those keys against older reads.
    expect(optimisticState(node, { brightness: 70 })).toEqual({ state: 'ON', brightness: 70 });
    expect(optimisticState(node, { color: { h: 10, s: 20 } })).toEqual({ color: { h: 10, s: 20 }, color_mode: 'hs' });
    expect(optimisticState(node, { state: 'ON', color_temp: 5000, transition: 2 })).toEqual({ state: 'ON', color_temp: 5000, color_mode: 'color_temp' });
    expect(optimisticState(plug, { state: 'ON', led: 'OFF' })).toEqual({ state: 'ON', led: 'OFF' });
    expect(node.state.brightness).toBe(20); // not mutated
  });

  it('shows power 0 at once when a metered node is switched off', () => {
    expect(optimisticState(meteredPlug, { state: 'OFF' })).toEqual({ state: 'OFF', power: 0 });
    expect(optimisticState(meteredPlug, { state: 'ON' })).toEqual({ state: 'ON' });
    expect(optimisticState(plug, { state: 'OFF' })).toEqual({ state: 'OFF' });
  });
});

describe('resolveToggle', () => {
  it('flips the last known state; unknown counts as OFF', () => {
    expect(resolveToggle({ state: 'TOGGLE' }, { state: 'ON' })).toEqual({ state: 'OFF' });
    expect(resolveToggle({ state: 'TOGGLE', led: 'ON' }, { state: 'OFF' })).toEqual({ state: 'ON', led: 'ON' });
    expect(resolveToggle({ state: 'TOGGLE' }, {})).toEqual({ state: 'ON' });
    expect(resolveToggle({ brightness: 3 }, {})).toEqual({ brightness: 3 });
  });
});

describe('mergeDesired', () => {
  it.each([
    [{ state: 'ON' }, { state: 'OFF' }, { state: 'OFF' }],
    [{ state: 'ON', brightness: 10 }, { brightness: 50 }, { brightness: 50 }],
    [{ state: 'OFF' }, { brightness: 50 }, { brightness: 50 }],
    [{ brightness: 50, color: { h: 1, s: 2 } }, { state: 'OFF' }, { state: 'OFF' }],
    [{ color: { h: 1, s: 2 } }, { color_temp: 3000 }, { color_temp: 3000 }],
    [{ color_temp: 3000 }, { color: { h: 1, s: 2 } }, { color: { h: 1, s: 2 } }],
    [{ led: 'ON', state: 'ON' }, { led: 'OFF' }, { led: 'OFF', state: 'ON' }],
    [{ state: 'ON', transition: 2 }, { brightness: 30, transition: 5 }, { brightness: 30, transition: 5 }],
  ] as const)('%j + %j = %j', (older, newer, expected) => {
    expect(mergeDesired(older, newer)).toEqual(expected);
  });
});

describe('firmware installs', () => {
  const versions = { installed_version: '1.0', latest_version: '1.1', release_summary: null, in_progress: false, update_percentage: null };
  const node = { ...plug, features: { ...plug.features, ...featureSet([FIRMWARE]) }, state: { ...plug.state, firmware: versions } };

  it('shows an install under way at once, from 0 %, on the versions known; nothing before a check', () => {
    expect(optimisticState(node, { firmware: 'install' })).toEqual({ firmware: { ...versions, in_progress: true, update_percentage: 0 } });
    expect(optimisticState({ ...node, state: {} }, { firmware: 'install' })).toEqual({});
  });

  it('accepts install (any case) only when something newer is known and nothing runs; a read-only one says why', () => {
    expect(parseSetPayload('INSTALL', 'firmware', node)).toEqual({ ok: true, desired: { firmware: 'install' } });
    expect(parseSetPayload('{"firmware":"install"}', undefined, { ...node, state: { firmware: { ...versions, latest_version: null } } })).toMatchObject({ ok: true });
    expect(parseSetPayload('install', 'firmware', { ...node, state: { firmware: { ...versions, in_progress: true } } })).toEqual({ ok: false, reason: 'firmware: an install is already under way' });
    expect(parseSetPayload('install', 'firmware', { ...node, state: { firmware: { ...versions, latest_version: '1.0' } } })).toMatchObject({ ok: false, reason: expect.stringContaining('1.0 is the latest version') });
    expect(parseSetPayload('upgrade', 'firmware', node)).toMatchObject({ ok: false, reason: expect.stringContaining('must be install') });
    const locked = { ...node, features: { ...node.features, firmware: readOnly(FIRMWARE, 'no install here') } };
    expect(parseSetPayload('install', 'firmware', locked)).toEqual({ ok: false, reason: 'firmware is read-only: no install here' });
  });
});
