/**
 * Kasa light-strip effects as the simulator runs them (kasa-effects.ts),
 * over the fixtures that have them: the current effect's whole definition
 * (synthesised: no capture has `get_lighting_effect`), a start refused
 * without a whole definition (a name alone), accepted with one, a stop
 * that needs none; sysinfo shows each. Devices without effects: "module
 * not support".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { fixturesDir, hasFixtures } from '../../../test/helpers/fixtures.js';
import { idOf, kasaSession, type Body, type KasaSession } from './helpers.js';

const MODULE = 'smartlife.iot.lighting_effect';
let sim: Simulator;
let session: KasaSession;

describe.skipIf(!hasFixtures)('Kasa light-strip effects', () => {
  beforeAll(async () => {
    sim = await startSimulator({ fixturesDir: fixturesDir(), builtin: false });
    session = await kasaSession(sim);
  });
  afterAll(async () => {
    await sim.close();
  });
  const call = async (model: string, method: string, params: Body = {}) => ((await session.iot(idOf(sim, model), { [MODULE]: { [method]: params } }))[MODULE] as Body)[method] as Body;
  const effectState = () => (sim.deviceState(idOf(sim, 'KL430')) as Body).lighting_effect_state;

  it('answers the current effect with its whole definition', async () => {
    const definition = await call('KL430', 'get_lighting_effect');
    expect(definition).toMatchObject({ err_code: 0, name: 'Flicker', enable: 0, id: 'bCTItKETDFfrKANolgldxfgOakaarARs', type: 'sequence', sequence: expect.any(Array) });
    expect(await call('KL420L5', 'get_lighting_effect')).toMatchObject({ name: 'station', type: 'sequence' });
  });

  it('refuses a start without the definition; runs a whole one; stops without one', async () => {
    expect(await call('KL430', 'set_lighting_effect', { name: 'Flicker', id: 'bCTItKETDFfrKANolgldxfgOakaarARs', enable: 1 })).toMatchObject({ err_code: -3 });
    expect(effectState()).toMatchObject({ name: 'Flicker', enable: 0 });
    const { err_code: _code, ...definition } = await call('KL430', 'get_lighting_effect');
    const own = { ...definition, name: 'Dusk', id: 'tpcm-dusk', custom: 1, sequence: [[30, 90, 60], [10, 100, 40]], enable: 1 };
    expect(await call('KL430', 'set_lighting_effect', own)).toEqual({ err_code: 0 });
    expect(effectState()).toEqual({ brightness: 100, custom: 1, enable: 1, id: 'tpcm-dusk', name: 'Dusk' });
    expect(await call('KL430', 'get_lighting_effect')).toMatchObject({ name: 'Dusk', sequence: [[30, 90, 60], [10, 100, 40]] });
    expect(await call('KL430', 'set_lighting_effect', { ...own, sequence: [[400, 0, 0]] })).toMatchObject({ err_code: -3 });
    expect(await call('KL430', 'set_lighting_effect', { enable: 0 })).toEqual({ err_code: 0 });
    expect(effectState()).toMatchObject({ name: 'Dusk', enable: 0 });
  });

  it('devices without effects do not have the module', async () => {
    const answer = await session.iot(idOf(sim, 'KL130'), { [MODULE]: { get_lighting_effect: {} } });
    expect(answer[MODULE]).toEqual({ err_code: -1, err_msg: 'module not support' });
  });
});
