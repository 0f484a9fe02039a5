import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.js';
import { idOf, kasaSession, type Body, type KasaSession } from './helpers.js';

let sim: Simulator;
let session: KasaSession;
let now = Date.UTC(2025, 0, 15, 12);
const HOUR = 3_600_000;

beforeAll(async () => {
  sim = await startSimulator({ clock: () => now });
  session = await kasaSession(sim);
});
afterAll(async () => {
  await sim.close();
});

const SYSINFO = { system: { get_sysinfo: null } };

function sysinfo(answer: Body): Body {
  return (answer.system as Body).get_sysinfo as Body;
}

describe('plugs and switches', () => {
  it('switches the relay and the LED, and the change persists', async () => {
    const id = idOf(sim, 'HS100');
    const set = await session.iot(id, { system: { set_relay_state: { state: 1 }, set_led_off: { off: 1 } } });
    expect(set).toEqual({ system: { set_relay_state: { err_code: 0 }, set_led_off: { err_code: 0 } } });
    expect(sysinfo(await session.iot(id, SYSINFO))).toMatchObject({ relay_state: 1, led_off: 1 });
    expect(sim.deviceState(id)).toMatchObject({ relay_state: 1 });
    await session.iot(id, { system: { set_relay_state: { state: 0 } } });
    expect(sysinfo(await session.iot(id, SYSINFO)).relay_state).toBe(0);
  });

  it('answers several modules at once and "module not support" for a missing one', async () => {
    const id = idOf(sim, 'HS200');
    const answer = await session.iot(id, { ...SYSINFO, emeter: { get_realtime: null }, 'smartlife.iot.nope': { x: {} } });
    expect(sysinfo(answer).model).toBe('HS200(US)');
    expect(answer.emeter).toEqual({ err_code: -1, err_msg: 'module not support' });
    expect(answer['smartlife.iot.nope']).toEqual({ err_code: -1, err_msg: 'module not support' });
  });

  it('answers -2 for an unknown method and -3 for a bad argument', async () => {
    const id = idOf(sim, 'HS200');
    const answer = await session.iot(id, { system: { fly: {}, set_relay_state: { state: 7 } } });
    expect(answer.system).toEqual({
      fly: { err_code: -2, err_msg: 'member not support' },
      set_relay_state: { err_code: -3, err_msg: 'invalid argument' },
    });
  });
});

describe('energy meters', () => {
  it('answers the new firmware shape and grows while on', async () => {
    const id = idOf(sim, 'KP115');
    const first = (await session.iot(id, { emeter: { get_realtime: null } })).emeter as Body;
    const reading = first.get_realtime as Body;
    expect(reading).toMatchObject({ err_code: 0, power_mw: 95_000, voltage_mv: 230_000 });
    expect(Object.keys(reading).sort()).toEqual(['current_ma', 'err_code', 'power_mw', 'total_wh', 'voltage_mv']);
    now += HOUR;
    const later = ((await session.iot(id, { emeter: { get_realtime: null } })).emeter as Body).get_realtime as Body;
    expect(Number(later.total_wh) - Number(reading.total_wh)).toBe(95);
    await session.iot(id, { system: { set_relay_state: { state: 0 } } });
    now += HOUR;
    const off = ((await session.iot(id, { emeter: { get_realtime: null } })).emeter as Body).get_realtime as Body;
    expect(off.total_wh).toBe(later.total_wh);
    expect(off.power_mw).toBe(0);
  });

  it('answers the old firmware shape (A, V, W, kWh)', async () => {
    const id = idOf(sim, 'HS110');
    const reading = ((await session.iot(id, { emeter: { get_realtime: null } })).emeter as Body).get_realtime as Body;
    expect(Object.keys(reading).sort()).toEqual(['current', 'err_code', 'power', 'total', 'voltage']);
    expect(reading.power).toBeCloseTo(87.5);
    now += 2 * HOUR;
    const later = ((await session.iot(id, { emeter: { get_realtime: null } })).emeter as Body).get_realtime as Body;
    expect(Number(later.total) - Number(reading.total)).toBeCloseTo(0.175, 6);
  });
});

describe('strips', () => {
  it('switches one outlet by context.child_ids (id = deviceId + 2 digits) and all without context', async () => {
    const id = idOf(sim, 'KP303');
    const children = sysinfo(await session.iot(id, SYSINFO)).children as Body[];
    expect(children.map((c) => c.id)).toEqual([`${id}00`, `${id}01`, `${id}02`]);
    expect(sysinfo(await session.iot(id, SYSINFO)).relay_state).toBeUndefined();
    await session.iot(id, { context: { child_ids: [`${id}01`] }, system: { set_relay_state: { state: 1 } } });
    const after = sysinfo(await session.iot(id, { context: { child_ids: [`${id}01`] }, ...SYSINFO }));
    expect((after.children as Body[]).map((c) => c.state)).toEqual([0, 1, 0]);
    expect(sim.deviceState(`${id}01`)).toMatchObject({ state: 1 });
    await session.iot(id, { context: { child_ids: ['02'] }, system: { set_relay_state: { state: 1 } } });
    await session.iot(id, { system: { set_relay_state: { state: 0 } } });
    expect((sysinfo(await session.iot(id, SYSINFO)).children as Body[]).map((c) => c.state)).toEqual([0, 0, 0]);
    const bad = await session.iot(id, { context: { child_ids: ['nope'] }, system: { set_relay_state: { state: 1 } } });
    expect((bad.system as Body).set_relay_state).toMatchObject({ err_code: -14 });
  });

  it('reads the HS300 energy meter per outlet', async () => {
    const id = idOf(sim, 'HS300');
    const outlet = (n: number) => ({ context: { child_ids: [`${id}0${n}`] }, emeter: { get_realtime: null } });
    await session.iot(id, { system: { set_relay_state: { state: 1 } } });
    const read = async (n: number) => ((await session.iot(id, outlet(n))).emeter as Body).get_realtime as Body;
    const zero = await read(0);
    const two = await read(2);
    expect(zero.power_mw).toBe(5_000);
    expect(two.power_mw).toBe(27_000);
    await session.iot(id, { context: { child_ids: [`${id}02`] }, system: { set_relay_state: { state: 0 } } });
    expect((await read(2)).power_mw).toBe(0);
    now += HOUR;
    expect(Number((await read(0)).total_wh) - Number(zero.total_wh)).toBe(5);
    expect((await read(2)).total_wh).toBe(two.total_wh);
  });
});

describe('dimmers and bulbs', () => {
  it('sets dimmer brightness', async () => {
    const id = idOf(sim, 'HS220');
    const set = await session.iot(id, { 'smartlife.iot.dimmer': { set_brightness: { brightness: 35 } } });
    expect(set).toEqual({ 'smartlife.iot.dimmer': { set_brightness: { err_code: 0 } } });
    expect(sysinfo(await session.iot(id, SYSINFO)).brightness).toBe(35);
    const bad = await session.iot(id, { 'smartlife.iot.dimmer': { set_brightness: { brightness: 300 } } });
    expect((bad['smartlife.iot.dimmer'] as Body).set_brightness).toMatchObject({ err_code: -3 });
  });

  it('runs transition_light_state / get_light_state on a colour bulb (hue only in colour mode)', async () => {
    const id = idOf(sim, 'KL130');
    const service = 'smartlife.iot.smartbulb.lightingservice';
    const ct = await session.iot(id, { [service]: { transition_light_state: { brightness: 40, color_temp: 4000, hue: 200 } } });
    expect((ct[service] as Body).transition_light_state).toMatchObject({ on_off: 1, brightness: 40, color_temp: 4000, hue: 0 });
    await session.iot(id, { [service]: { transition_light_state: { color_temp: 0, hue: 240, saturation: 90 } } });
    const state = ((await session.iot(id, { [service]: { get_light_state: {} } }))[service] as Body).get_light_state;
    expect(state).toMatchObject({ on_off: 1, hue: 240, saturation: 90, color_temp: 0, err_code: 0 });
    await session.iot(id, { [service]: { transition_light_state: { on_off: 0, transition_period: 0 } } });
    const off = sysinfo(await session.iot(id, SYSINFO)).light_state as Body;
    expect(off).toMatchObject({ on_off: 0, dft_on_state: { hue: 240, brightness: 40 } });
    const power = await session.iot(id, { 'smartlife.iot.common.emeter': { get_realtime: {} } });
    expect(((power['smartlife.iot.common.emeter'] as Body).get_realtime as Body).power_mw).toBe(0);
    const relay = await session.iot(id, { system: { set_relay_state: { state: 1 } } });
    expect((relay.system as Body).set_relay_state).toMatchObject({ err_code: -2 });
  });

  it('dims a white bulb and ignores colour on it', async () => {
    const id = idOf(sim, 'KL110');
    const service = 'smartlife.iot.smartbulb.lightingservice';
    await session.iot(id, { [service]: { transition_light_state: { on_off: 1, brightness: 10, hue: 100, color_temp: 0 } } });
    expect(sysinfo(await session.iot(id, SYSINFO)).light_state).toMatchObject({ on_off: 1, brightness: 10, hue: 0 });
    const bad = await session.iot(id, { [service]: { transition_light_state: { brightness: 101 } } });
    expect((bad[service] as Body).transition_light_state).toMatchObject({ err_code: -10000 });
  });

  it('drives a light strip through smartlife.iot.lightStrip only', async () => {
    const id = idOf(sim, 'KL430');
    const strip = 'smartlife.iot.lightStrip';
    const set = await session.iot(id, { [strip]: { set_light_state: { on_off: 1, color_temp: 0, hue: 120, saturation: 100 } } });
    expect((set[strip] as Body).set_light_state).toMatchObject({ on_off: 1, hue: 120, length: 16, err_code: 0 });
    const got = await session.iot(id, { [strip]: { get_light_state: {} } });
    expect((got[strip] as Body).get_light_state).toMatchObject({ hue: 120 });
    const bulbModule = await session.iot(id, { 'smartlife.iot.smartbulb.lightingservice': { get_light_state: {} } });
    expect(bulbModule['smartlife.iot.smartbulb.lightingservice']).toEqual({ err_code: -1, err_msg: 'module not support' });
  });
});

describe('state behind the bridge', () => {
  it('setDeviceState changes what the next read answers', async () => {
    const id = idOf(sim, 'HS200');
    sim.setDeviceState(id, { relay_state: 1, alias: 'Front Porch' });
    expect(sysinfo(await session.iot(id, SYSINFO))).toMatchObject({ relay_state: 1, alias: 'Front Porch' });
    const strip = idOf(sim, 'HS300');
    sim.setDeviceState(`${strip}05`, { state: 0 });
    const children = sysinfo(await session.iot(strip, SYSINFO)).children as Body[];
    expect(children[5]?.state).toBe(0);
  });
});
