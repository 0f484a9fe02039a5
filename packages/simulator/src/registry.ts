/**
 * Turns device specs (from the catalog or from fixtures) into live devices
 * with stable ids, and indexes them so every request is a Map lookup: the
 * benchmarks poll a thousand devices per cycle.
 */
import {
  EnergyMeter,
  childId,
  isJson,
  stableId,
  text,
  uniqueMac,
  type Json,
  type KasaDevice,
  type KasaFamily,
  type KasaLight,
  type KasaOutlet,
  type Region,
  type TapoThing,
} from './model.js';

export interface KasaSpec {
  cloud: 'kasa';
  region: Region;
  alias: string;
  /** Device sysinfo; `children` (strips) and `light_state` (bulbs) seed the live state. */
  sysinfo: Json;
  emeter?: { shape: 'new' | 'old'; powerW: number; totalWh: number; voltageV: number; currentA?: number };
  /** Per-outlet meters (HS300): one nominal power per child. */
  outletPowerW?: number[];
  /** HS300 fixtures: the one captured reading, which each outlet serves as captured. */
  outletEmeter?: { powerW: number; totalWh: number; voltageV: number; currentA: number };
  /** Bulb fixtures: their own captured meter answer; `none` when they answered none. */
  bulbMeter?: { powerW: number; totalWh: number } | 'none';
  staticModules?: Json;
}

export interface TapoSpec {
  cloud: 'tapo';
  region: Region;
  alias: string;
  /** get_device_info as the device answers it (nickname may be plain or base64). */
  info: Json;
  /** get_child_device_list entries of a strip, with plain `nickname`. */
  children?: Json[];
  /** Catalog devices: the simulator's own meter figures (fixtures bring `recorded` answers instead). */
  energy?: { powerW: number; todayWh: number; monthWh: number };
  /** The device's captured answers by method (a fixture file), served verbatim by services-sync. */
  recorded?: Json;
  /** Each socket's captured answers, in `children` order. */
  childRecorded?: (Json | undefined)[];
}

export type DeviceSpec = KasaSpec | TapoSpec;

export interface OutletRef {
  device: KasaDevice;
  outlet: KasaOutlet;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Family rules of kasa-cloud.md §4, so fixtures classify the way a client would. */
export function kasaFamily(sysinfo: Json): KasaFamily {
  const type = text(sysinfo.type ?? sysinfo.mic_type);
  if (type.includes('SMARTBULB')) return 'length' in sysinfo ? 'lightstrip' : 'bulb';
  if (Array.isArray(sysinfo.children)) return 'strip';
  if ('brightness' in sysinfo || text(sysinfo.dev_name).includes('Dimmer')) return 'dimmer';
  return 'plug';
}

function lightFrom(sysinfo: Json): KasaLight {
  const raw = isJson(sysinfo.light_state) ? sysinfo.light_state : {};
  const on = raw.on_off === 1;
  const src = !on && isJson(raw.dft_on_state) ? raw.dft_on_state : raw;
  return {
    on,
    mode: typeof src.mode === 'string' ? src.mode : 'normal',
    hue: num(src.hue, 0),
    saturation: num(src.saturation, 0),
    colorTemp: num(src.color_temp, 2700),
    brightness: num(src.brightness, 100),
  };
}

function buildKasa(spec: KasaSpec, id: string, now: number, macSerial: number): KasaDevice {
  const sysinfo: Json = { ...spec.sysinfo, alias: spec.alias, deviceId: id };
  for (const key of ['mac', 'mic_mac']) if (key in sysinfo) sysinfo[key] = uniqueMac(sysinfo[key], macSerial);
  const family = kasaFamily(sysinfo);
  const rawChildren = Array.isArray(sysinfo.children) ? sysinfo.children.filter(isJson) : [];
  const children: KasaOutlet[] = rawChildren.map((child, index) => {
    const outlet: KasaOutlet = {
      id: childId(id, index),
      alias: typeof child.alias === 'string' ? child.alias : `${spec.alias} ${index + 1}`,
      state: child.state === 1 ? 1 : 0,
      onTime: num(child.on_time, 0),
    };
    const captured = spec.outletEmeter;
    const powerW = spec.outletPowerW?.[index];
    if (captured) outlet.meter = capturedMeter(captured, now);
    else if (powerW !== undefined) outlet.meter = new EnergyMeter(powerW, 100 * (index + 1), now, 120);
    return outlet;
  });
  delete sysinfo.children;
  const device: KasaDevice = {
    cloud: 'kasa',
    id,
    region: spec.region,
    family,
    model: text(sysinfo.model, 'unknown'),
    online: true,
    sysinfo,
    children,
    meterShape: spec.emeter?.shape ?? 'new',
    staticModules: spec.staticModules ?? {},
  };
  if (spec.emeter) device.meter = capturedMeter(spec.emeter, now);
  if (family === 'bulb' || family === 'lightstrip') {
    device.light = lightFrom(sysinfo);
    // Bulbs meter themselves through smartlife.iot.common.emeter: a fixture bulb as captured (or not at all).
    if (spec.bulbMeter && spec.bulbMeter !== 'none') {
      device.meter = new EnergyMeter(spec.bulbMeter.powerW, spec.bulbMeter.totalWh, now);
      device.meter.followsBrightness = false;
    } else if (!spec.bulbMeter) device.meter ??= new EnergyMeter(family === 'lightstrip' ? 12 : 9, 500, now);
  }
  return device;
}

function capturedMeter(reading: { powerW: number; totalWh: number; voltageV: number; currentA?: number | undefined }, now: number): EnergyMeter {
  const meter = new EnergyMeter(reading.powerW, reading.totalWh, now, reading.voltageV);
  meter.currentA = reading.currentA;
  return meter;
}

function tapoCategory(info: Json, isStrip: boolean): string {
  if (typeof info.category === 'string') return info.category;
  if (isStrip) return 'plug.powerstrip';
  return text(info.type).includes('BULB') ? 'light.bulb' : 'plug';
}

function buildThing(
  id: string,
  region: Region,
  alias: string,
  info: Json,
  now: number,
  extra: Partial<TapoThing>,
): TapoThing {
  return {
    cloud: 'tapo',
    id,
    region,
    model: text(info.model, 'unknown'),
    deviceType: text(info.type, 'SMART.TAPOPLUG'),
    category: tapoCategory(info, false),
    alias,
    online: true,
    children: [],
    info: { ...info, device_id: id, nickname: alias },
    version: 1,
    desired: {},
    pending: [],
    todayWhBase: 0,
    monthWhBase: 0,
    startedAt: now,
    ...extra,
  };
}

function buildTapo(spec: TapoSpec, id: string, now: number, macSerial: number): TapoThing[] {
  const kids = spec.children ?? [];
  const mac = uniqueMac(spec.info.mac, macSerial);
  const parent = buildThing(id, spec.region, spec.alias, { ...spec.info, mac }, now, {
    category: tapoCategory(spec.info, kids.length > 0),
    ...(spec.recorded ? { recorded: spec.recorded } : {}),
  });
  if (spec.recorded) recordedMeter(parent, spec.recorded, now);
  else if (spec.energy && kids.length === 0) {
    parent.meter = new EnergyMeter(spec.energy.powerW, 0, now);
    parent.todayWhBase = spec.energy.todayWh;
    parent.monthWhBase = spec.energy.monthWh;
  }
  const subs = kids.map((child, index) => {
    const sub = buildThing(
      childId(id, index),
      spec.region,
      typeof child.nickname === 'string' ? child.nickname : `${spec.alias} ${index + 1}`,
      { ...child, original_device_id: id, ...(child.mac === undefined ? {} : { mac: (mac ?? '').replace(/[:-]/g, '') }) },
      now,
      { parentId: id, position: num(child.position, index + 1) },
    );
    const recorded = spec.childRecorded?.[index];
    if (recorded) {
      sub.recorded = recorded;
      recordedMeter(sub, recorded, now);
    } else if (spec.energy) sub.meter = new EnergyMeter(spec.energy.powerW / kids.length, 0, now);
    return sub;
  });
  parent.children = subs.map((sub) => sub.id);
  return [parent, ...subs];
}

/**
 * A meter that starts from the captured figures: the power the device
 * reported (0 W stays 0 W), today's and this month's energy as counted.
 */
function recordedMeter(thing: TapoThing, recorded: Json, now: number): void {
  const usage = isJson(recorded.get_energy_usage) ? recorded.get_energy_usage : undefined;
  if (!usage) return;
  const emeter = isJson(recorded.get_emeter_data) ? recorded.get_emeter_data : undefined;
  const current = isJson(recorded.get_current_power) ? recorded.get_current_power : undefined;
  const powerW =
    typeof emeter?.power_mw === 'number'
      ? emeter.power_mw / 1000
      : typeof usage.current_power === 'number'
        ? usage.current_power / 1000
        : num(current?.current_power, 0);
  const voltageV = typeof emeter?.voltage_mv === 'number' ? emeter.voltage_mv / 1000 : 230;
  thing.meter = new EnergyMeter(powerW, 0, now, voltageV);
  thing.todayWhBase = num(usage.today_energy, 0);
  thing.monthWhBase = num(usage.month_energy, 0);
}

export class Registry {
  readonly kasa = new Map<string, KasaDevice>();
  readonly outlets = new Map<string, OutletRef>();
  readonly tapo = new Map<string, TapoThing>();
  /** Things in listing order (parents followed by their sub-things), rebuilt on removal only. */
  private thingList: TapoThing[] = [];

  constructor(
    specs: readonly DeviceSpec[],
    seed: number,
    now: number,
  ) {
    let kasaSlot = 0;
    let tapoSlot = 0;
    for (const spec of specs) {
      // Kasa devices count MACs up from 1, Tapo devices down from the top: no two share one.
      if (spec.cloud === 'kasa') this.addKasa(buildKasa(spec, stableId(seed, 'kasa', kasaSlot), now, ++kasaSlot));
      else for (const thing of buildTapo(spec, stableId(seed, 'tapo', tapoSlot), now, 0xffffff - tapoSlot++)) this.addThing(thing);
    }
  }

  private addKasa(device: KasaDevice): void {
    this.kasa.set(device.id, device);
    for (const outlet of device.children) this.outlets.set(outlet.id, { device, outlet });
  }

  private addThing(thing: TapoThing): void {
    this.tapo.set(thing.id, thing);
    this.thingList.push(thing);
  }

  things(): readonly TapoThing[] {
    return this.thingList;
  }

  /** Tapo things that are physical devices (not sockets): these also show in the Kasa list. */
  *tapoDevices(): Iterable<TapoThing> {
    for (const thing of this.thingList) if (!thing.parentId) yield thing;
  }

  remove(id: string): boolean {
    const device = this.kasa.get(id);
    if (device) {
      this.kasa.delete(id);
      for (const outlet of device.children) this.outlets.delete(outlet.id);
      return true;
    }
    const thing = this.tapo.get(id);
    if (!thing) return false;
    const gone = new Set([id, ...thing.children]);
    for (const name of gone) this.tapo.delete(name);
    if (thing.parentId) {
      const parent = this.tapo.get(thing.parentId);
      if (parent) parent.children = parent.children.filter((name) => name !== id);
    }
    this.thingList = this.thingList.filter((t) => !gone.has(t.id));
    return true;
  }
}
