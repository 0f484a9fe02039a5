/** The MQTT API schemas (src/runtime/api.ts) and the check every harness runs on what the bridge published. */
import { describe, expect, it } from 'vitest';
import { BRIDGE_EVENT_TYPES, BridgeEvent, REQUEST_KEYS } from '../../src/runtime/api.js';
import { apiViolations } from '../helpers/api.js';

const message = (subtopic: string, payload: unknown) => ({ topic: `tplink/bridge/${subtopic}`, payload: JSON.stringify(payload) });

describe('MQTT API schemas', () => {
  it('name every event and request once', () => {
    expect(new Set(BRIDGE_EVENT_TYPES).size).toBe(BRIDGE_EVENT_TYPES.length);
    expect(BRIDGE_EVENT_TYPES).toEqual(['command_rejected', 'command_failed', 'device_added', 'device_removed', 'cloud_auth_failed', 'overloaded']);
    expect(REQUEST_KEYS).toEqual(expect.arrayContaining(['refresh', 'health_check', 'info', 'device/interview']));
  });

  it('accept the payloads the README shows, refuse wrong data for an event type', () => {
    const rejected = { type: 'command_rejected', data: { target: 'garage_strip', reason: 'TOGGLE is not supported', payload: 'TOGGLE' } };
    expect(BridgeEvent.parse(rejected)).toEqual(rejected);
    // device_added's data under command_rejected's type: a discriminated union tells them apart.
    expect(BridgeEvent.safeParse({ type: 'command_rejected', data: { id: 'kasa_1', name: 'Lamp', model: 'HS100', cloud: 'kasa' } }).success).toBe(false);
    expect(BridgeEvent.safeParse({ type: 'device_exploded', data: {} }).success).toBe(false);
  });

  it('flag payloads on bridge topics that leave the API, and only those', () => {
    const good = [
      message('state', { state: 'online' }),
      message('event', { type: 'cloud_auth_failed', data: { cloud: 'tapo', reason: 'mfa_required' } }),
      message('response/refresh', { status: 'ok', data: { device_count: 3, merged: false, lists: true }, transaction: 'a' }),
      message('response/nonsense', { status: 'error', data: {}, error: 'unknown request "nonsense"' }),
      message('request/refresh', 'anything a user sends'),
      { topic: 'tplink/bridge/devices', payload: '' },
    ];
    expect(apiViolations(good)).toEqual([]);
    const bad = [
      message('state', { state: 'sleepy' }),
      message('event', { type: 'cloud_auth_failed', data: { cloud: 'tapo', reason: 'ok' } }),
      message('response/health_check', { status: 'ok', data: { healthy: 'yes' } }),
      // A field no schema names: the schemas are strict, so it cannot slip out undocumented.
      message('response/refresh', { status: 'ok', data: { device_count: 3, merged: false, lists: true, secret: 1 } }),
      { topic: 'tplink/bridge/info', payload: '{not json' },
    ];
    expect(apiViolations(bad)).toHaveLength(bad.length);
  });
});
