/**
 * Tapo firmware through services-sync, on the simulator's clock: up to
 * date as captured; an offered version named by get_latest_fw; fw_download
 * refused with the device's codes when nothing newer is on offer or an
 * install runs; download progress, flashing, the reboot (out of reach, status 0
 * in the thing list), then the new fw_ver everywhere.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { FW_DOWNLOAD_MS } from '../src/tapo-firmware.js';
import { fixturesDir, hasFixtures } from '../../../test/helpers/fixtures.js';
import { nbuHeaders, tapoGet, tapoSync, tapoToken, type Body } from './helpers.js';

const START = Date.UTC(2026, 11, 2, 10);
const INSTALLED = '1.2.3 Build 240624 Rel.154806';
const NEXT = '1.3.0 Build 261201 Rel.101010';

describe.skipIf(!hasFixtures)('Tapo firmware (KP125M fixture)', () => {
  let sim: Simulator;
  let token: string;
  let now = START;
  let thing = '';
  beforeAll(async () => {
    sim = await startSimulator({ fixturesDir: fixturesDir(), builtin: false, clock: () => now });
    token = await tapoToken(sim);
    thing = sim.devices().find((d) => d.cloud === 'tapo' && d.model.startsWith('KP125M'))?.id ?? '';
  });
  afterAll(async () => {
    await sim.close();
  });

  const call = async (method: string): Promise<Body> => {
    const answer = await tapoSync(sim, thing, token, { method: 'multipleRequest', params: { requests: [{ method }] } });
    return ((answer.outputParams as Body).responseData as { result: { responses: Body[] } }).result.responses[0] as Body;
  };
  const sync = async (method: string) => (await call(method)).result as Body;
  const listed = async () => ((await tapoGet(sim, '/v1/things?page=0&pageSize=100', token)).json.data as Body[]).find((t) => t.thingName === thing);
  const syncStatus = async () =>
    (
      await request(`${sim.urls.tapo.appServerUrl}/v1/things/${thing}/services-sync`, {
        method: 'POST',
        body: JSON.stringify({ serviceId: 'passthrough', inputParams: { requestData: { method: 'get_device_info' } } }),
        headers: { ...nbuHeaders(token), 'content-type': 'application/json' },
      })
    ).statusCode;

  it('up to date as captured: get_latest_fw type 0 naming the installed version; fw_download refused (-1402)', async () => {
    expect(await sync('get_latest_fw')).toMatchObject({ type: 0, need_to_upgrade: false, fw_ver: INSTALLED });
    expect(await call('fw_download')).toEqual({ method: 'fw_download', error_code: -1402 });
    expect(await sync('get_fw_download_state')).toMatchObject({ status: 0, download_progress: 0 });
  });

  it('an offered version: named by get_latest_fw, installed by fw_download with progress, flashing, reboot, then the new version', async () => {
    sim.offerFirmware(thing, NEXT, 'Fixes.');
    expect(await sync('get_latest_fw')).toMatchObject({ type: 1, need_to_upgrade: true, fw_ver: NEXT, release_note: 'Fixes.' });
    expect(await call('fw_download')).toEqual({ method: 'fw_download', error_code: 0, result: {} });
    expect(await call('fw_download')).toMatchObject({ error_code: -1401 });
    now += FW_DOWNLOAD_MS / 4;
    expect(await sync('get_fw_download_state')).toMatchObject({ status: 2, download_progress: 25 });
    now = START + FW_DOWNLOAD_MS + 1_000;
    // Flashing for the captured upgrade_time (5 s).
    expect(await sync('get_fw_download_state')).toMatchObject({ status: 3, download_progress: 100 });
    expect((await sync('get_device_info')).fw_ver).toBe(INSTALLED);
    now = START + FW_DOWNLOAD_MS + 6_000;
    // Rebooting for the captured reboot_time (5 s): out of reach, offline in the list.
    expect(await syncStatus()).toBe(400);
    expect((await listed())?.status).toBe(0);
    now = START + FW_DOWNLOAD_MS + 11_000;
    expect((await listed())?.status).toBe(1);
    expect((await listed())?.fwVer).toBe(NEXT);
    expect((await sync('get_device_info')).fw_ver).toBe(NEXT);
    expect(await sync('get_fw_download_state')).toMatchObject({ status: 0, download_progress: 0 });
    expect(await sync('get_latest_fw')).toMatchObject({ type: 0, need_to_upgrade: false, fw_ver: NEXT });
    expect(((sim.deviceState(thing)?.reported ?? {}) as Body).fw_ver).toBe(NEXT);
    // Back from its reboot: it counts its time on from then.
    expect((await sync('get_device_info')).on_time).toBe(1);
  });

  it('P110 answered no get_latest_fw: it learns of no offer (-1002 there) and installs nothing (-1402)', async () => {
    const p110 = sim.devices().find((d) => d.cloud === 'tapo' && d.model.startsWith('P110') && !d.model.startsWith('P110M'))?.id ?? '';
    sim.offerFirmware(p110, NEXT);
    const answer = await tapoSync(sim, p110, token, { method: 'multipleRequest', params: { requests: [{ method: 'get_latest_fw' }, { method: 'fw_download' }] } });
    const responses = ((answer.outputParams as Body).responseData as { result: { responses: Body[] } }).result.responses;
    expect(responses).toEqual([
      { method: 'get_latest_fw', error_code: -1002 },
      { method: 'fw_download', error_code: -1402 },
    ]);
    expect(() => sim.offerFirmware('nope', NEXT)).toThrow(/no device/);
  });
});
