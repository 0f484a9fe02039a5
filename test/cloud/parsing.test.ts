import { describe, expect, it } from 'vitest';
import { unwrapEnvelope } from '../../src/clouds/common/envelope.js';
import { kindOfCode } from '../../src/clouds/common/errors.js';
import { failedModules, moduleResult } from '../../src/clouds/kasa/client.js';
import { kasaDeviceListEntrySchema } from '../../src/clouds/kasa/schemas.js';
import { decodeNickname } from '../../src/model/names.js';

describe('envelope', () => {
  it('returns result on success', () => {
    expect(unwrapEnvelope('kasa', { status: 200, body: { error_code: 0, result: { a: 1 } } }, 'x')).toEqual({ a: 1 });
  });

  it('maps error_code to a kind', () => {
    expect(() => unwrapEnvelope('kasa', { status: 200, body: { error_code: -20571, msg: 'Device is offline' } }, 'passthrough')).toThrow(
      expect.objectContaining({ kind: 'device_offline', code: -20571 }),
    );
  });

  it('checks result.errorCode too (string or number)', () => {
    const body = { error_code: 0, result: { errorCode: '-20601', errorMsg: 'Incorrect email or password' } };
    expect(() => unwrapEnvelope('tapo', { status: 200, body }, 'login')).toThrow(expect.objectContaining({ kind: 'auth_failed', code: -20601 }));
    expect(unwrapEnvelope('tapo', { status: 200, body: { error_code: 0, result: { errorCode: '0', token: 't' } } }, 'login')).toEqual({
      errorCode: '0',
      token: 't',
    });
  });

  it('turns lockedMinutes into retryAfterS', () => {
    const body = { error_code: 0, result: { errorCode: -20675, lockedMinutes: 30 } };
    expect(() => unwrapEnvelope('tapo', { status: 200, body }, 'login')).toThrow(expect.objectContaining({ kind: 'account_locked', retryAfterS: 1800 }));
  });

  it('calls a wrong shape a protocol error', () => {
    expect(() => unwrapEnvelope('kasa', { status: 200, body: { result: 'x' } }, 'x')).toThrow(expect.objectContaining({ kind: 'protocol' }));
  });

  it('kinds of the documented codes', () => {
    expect(kindOfCode(-20651)).toBe('token_expired');
    expect(kindOfCode(-20580)).toBe('device_not_bound');
    expect(kindOfCode(-20501)).toBe('device_not_bound');
    expect(kindOfCode(-20004)).toBe('rate_limited');
    expect(kindOfCode(-20003)).toBe('transient');
    expect(kindOfCode(-20661)).toBe('account_locked');
    expect(kindOfCode(-20677)).toBe('mfa_required');
  });
});

describe('moduleResult', () => {
  const response = {
    system: { get_sysinfo: { err_code: 0, alias: 'Lamp' } },
    emeter: { err_code: -1, err_msg: 'module not support' },
    'smartlife.iot.common.emeter': { get_realtime: { err_code: -2, err_msg: 'member not support' } },
  };

  it('returns the method value on success', () => {
    expect(moduleResult(response, 'system', 'get_sysinfo')).toEqual({ ok: true, value: { err_code: 0, alias: 'Lamp' } });
  });

  it('reports module-level and method-level err_code', () => {
    expect(moduleResult(response, 'emeter', 'get_realtime')).toEqual({ ok: false, code: -1, message: 'module not support' });
    expect(moduleResult(response, 'smartlife.iot.common.emeter', 'get_realtime')).toEqual({
      ok: false,
      code: -2,
      message: 'member not support',
    });
    expect(moduleResult(response, 'nothing', 'get')).toMatchObject({ ok: false });
  });

  it('failedModules lists every failed module/method asked, ignoring context', () => {
    const request = { context: { child_ids: ['x'] }, system: { get_sysinfo: null }, emeter: { get_realtime: null } };
    expect(failedModules(request, response)).toEqual(['emeter.get_realtime: module not support (-1)']);
  });
});

describe('schemas', () => {
  it('keeps unknown device-list fields', () => {
    const entry = kasaDeviceListEntrySchema.parse({ deviceId: 'A', appServerUrl: 'https://x', status: 1, somethingNew: 42 });
    expect(entry.somethingNew).toBe(42);
    expect(entry.alias).toBe('');
  });

  it('decodes base64 nicknames defensively', () => {
    expect(decodeNickname('R2FyYWdlIFN0cmlw')).toBe('Garage Strip');
    expect(decodeNickname('Lamp')).toBe('Lamp');
    expect(decodeNickname('Desk lamp')).toBe('Desk lamp');
    expect(decodeNickname('w6Rsc2thcg==')).toBe('älskar');
    expect(decodeNickname(undefined)).toBe('');
  });
});
