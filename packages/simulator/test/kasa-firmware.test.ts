/**
 * Kasa firmware through the passthrough: the cloud module's
 * get_intl_fw_list answers the capture (KL130 lists a newer version), an
 * empty list elsewhere (plugs' cnCloud, synthesised), an offer listed
 * alone; the other family's cloud module stays unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { fixturesDir, hasFixtures } from '../../../test/helpers/fixtures.js';
import { kasaSession, type Body, type KasaSession } from './helpers.js';

describe.skipIf(!hasFixtures)('Kasa get_intl_fw_list', () => {
  let sim: Simulator;
  let session: KasaSession;
  beforeAll(async () => {
    sim = await startSimulator({ fixturesDir: fixturesDir(), builtin: false, clock: () => Date.UTC(2026, 11, 2) });
    session = await kasaSession(sim);
  });
  afterAll(async () => {
    await sim.close();
  });
  const idOf = (model: string) => sim.devices().find((d) => d.cloud === 'kasa' && d.model.startsWith(model))?.id ?? '';
  const list = async (id: string, module: string) => ((await session.iot(id, { [module]: { get_intl_fw_list: {} } }))[module] as Body).get_intl_fw_list as Body;

  it('KL130 answers its captured list (a newer version); its get_info stays as captured', async () => {
    const id = idOf('KL130');
    expect(await list(id, 'smartlife.iot.common.cloud')).toMatchObject({ err_code: 0, fw_list: [{ fwVer: '1.8.11 Build 191113 Rel.105336', fwType: 0 }] });
    const info = await session.iot(id, { 'smartlife.iot.common.cloud': { get_info: null } });
    expect(info).toMatchObject({ 'smartlife.iot.common.cloud': { get_info: { cld_connection: 1, server: 'n-devs.tplinkcloud.com' } } });
    expect(await session.iot(id, { cnCloud: { get_intl_fw_list: {} } })).toEqual({ cnCloud: { err_code: -1, err_msg: 'module not support' } });
  });

  it('a plug: cnCloud answers an empty list (up to date); an offer is listed', async () => {
    const id = idOf('HS100');
    expect(await list(id, 'cnCloud')).toEqual({ fw_list: [], err_code: 0 });
    sim.offerFirmware(id, '1.2.6 Build 261201 Rel.101010', 'Fixes.');
    expect(await list(id, 'cnCloud')).toMatchObject({
      err_code: 0,
      fw_list: [{ fwVer: '1.2.6 Build 261201 Rel.101010', fwReleaseLog: 'Fixes.', fwReleaseDate: '2026-12-02', fwUrl: expect.stringMatching(/^http:\/\/download\.tplinkcloud\.com\/firmware\/HS100US_1_2_6_Build_261201_Rel_101010\.bin$/) }],
    });
  });
});
