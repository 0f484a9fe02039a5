/**
 * `bridge/request/device/firmware_check` through MQTT against the
 * simulator: a check of one device now (its update entity follows), at
 * most once per 10 minutes per device, a clear error for a device that
 * tells no firmware versions or is unknown. Only Date is faked.
 */
import { describe, expect, it, vi } from 'vitest';
import { RESPONSE_DATA, bridgeResponse } from '../../src/runtime/api.js';
import { hasFixtures } from '../helpers/fixtures.js';
import { fixtureBridge } from './helpers.js';

const START = Date.UTC(2026, 11, 2, 10, 0, 0);
const Answer = bridgeResponse(RESPONSE_DATA['device/firmware_check']);

describe.skipIf(!hasFixtures)('firmware_check request', () => {
  const bridge = fixtureBridge(START);
  const asked = () => bridge.h.sim.requests.filter((r) => r.api === 'services-sync' && JSON.stringify(r.body).includes('"get_latest_fw"'));
  let transaction = 0;
  const check = async (id: string) => {
    const { h } = bridge;
    transaction += 1;
    const mine = `"transaction":${transaction}`;
    await h.publish('tplink/bridge/request/device/firmware_check', JSON.stringify({ id, transaction }));
    const answer = await h.waitForMessage('tplink/bridge/response/device/firmware_check', (payload) => payload.includes(mine));
    return Answer.parse(JSON.parse(answer.payload));
  };

  it('checks a device now by its topic name, answers its versions and publishes its update entity', async () => {
    const { h } = bridge;
    const plug = bridge.model('KP125M');
    const answer = await check(h.nameOf(plug.id));
    expect(answer).toEqual({
      status: 'ok',
      transaction: 1,
      data: { id: plug.id, checked: true, installed_version: '1.2.3 Build 240624 Rel.154806', latest_version: '1.2.3 Build 240624 Rel.154806', in_progress: false },
    });
    expect(asked().filter((r) => r.deviceId === h.sim.devices().find((d) => d.model.startsWith('KP125M'))?.id)).toHaveLength(1);
    expect(bridge.stateOf(plug).firmware).toMatchObject({ installed_version: '1.2.3 Build 240624 Rel.154806', in_progress: false });
  });

  it('at most once per 10 minutes per device: a second request within them asks nothing and answers the last check', async () => {
    const { h } = bridge;
    const plug = bridge.model('KP125M');
    h.sim.clearRequests();
    vi.setSystemTime(START + 9 * 60_000);
    const again = await check(plug.id);
    expect(again).toMatchObject({ status: 'ok', data: { id: plug.id, checked: false, latest_version: '1.2.3 Build 240624 Rel.154806' } });
    expect(asked()).toEqual([]);
    vi.setSystemTime(START + 10 * 60_000);
    expect(await check(plug.id)).toMatchObject({ status: 'ok', data: { checked: true } });
    expect(asked()).toHaveLength(1);
  });

  it('a device whose cloud answers no firmware check (P110), or an unknown one: an error that says so', async () => {
    const { h } = bridge;
    const p110 = bridge.model('P110');
    expect(await check(h.nameOf(p110.id))).toMatchObject({ status: 'error', error: expect.stringContaining('no firmware versions') });
    expect(await check('no such plug')).toMatchObject({ status: 'error', error: 'unknown device "no such plug"' });
    await h.publish('tplink/bridge/request/device/firmware_check', '{}');
    const answer = await h.waitForMessage('tplink/bridge/response/device/firmware_check', (payload) => payload.includes('say which device'));
    expect(JSON.parse(answer.payload)).toMatchObject({ status: 'error' });
  });
});
