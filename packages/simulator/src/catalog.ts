/**
 * Built-in devices (the demo needs nothing from ../shared) and the synthetic
 * mix for scale tests. Values are the simulator's own, shaped like what the
 * real models report.
 */
import { createHash } from 'node:crypto';
import type { Json, Region } from './model.js';
import type { DeviceSpec, KasaSpec, TapoSpec } from './registry.js';

interface KasaModel {
  model: string;
  name: string;
  hw: string;
  sw: string;
  /** Older firmware says `type`, newer `mic_type`. */
  typeKey: 'type' | 'mic_type';
  kind: 'plug' | 'dimmer' | 'strip' | 'bulb' | 'lightstrip';
  emeter?: 'new' | 'old';
  outlets?: number;
  outletMeters?: boolean;
  color?: boolean;
  kelvin?: [number, number];
}

const KASA_MODELS = {
  HS100: { model: 'HS100(EU)', name: 'Wi-Fi Smart Plug', hw: '2.0', sw: '1.5.10 Build 191125 Rel.094314', typeKey: 'type', kind: 'plug' },
  HS103: { model: 'HS103(US)', name: 'Smart Wi-Fi Plug Lite', hw: '2.1', sw: '1.1.4 Build 210409 Rel.113427', typeKey: 'mic_type', kind: 'plug' },
  HS200: { model: 'HS200(US)', name: 'Smart Wi-Fi Light Switch', hw: '5.0', sw: '1.0.11 Build 230908 Rel.160526', typeKey: 'mic_type', kind: 'plug' },
  KP115: { model: 'KP115(EU)', name: 'Smart Wi-Fi Plug Mini', hw: '1.0', sw: '1.0.18 Build 210910 Rel.141202', typeKey: 'mic_type', kind: 'plug', emeter: 'new' },
  HS110: { model: 'HS110(EU)', name: 'Wi-Fi Smart Plug With Energy Monitoring', hw: '1.0', sw: '1.2.6 Build 200727 Rel.121701', typeKey: 'type', kind: 'plug', emeter: 'old' },
  HS220: { model: 'HS220(US)', name: 'Smart Wi-Fi Dimmer', hw: '2.0', sw: '1.0.10 Build 221019 Rel.194527', typeKey: 'mic_type', kind: 'dimmer' },
  HS300: { model: 'HS300(US)', name: 'Smart Wi-Fi Power Strip', hw: '2.0', sw: '1.0.12 Build 220121 Rel.175814', typeKey: 'mic_type', kind: 'strip', outlets: 6, outletMeters: true },
  KP303: { model: 'KP303(UK)', name: 'Smart Wi-Fi Power Strip', hw: '1.0', sw: '1.0.6 Build 210618 Rel.094820', typeKey: 'mic_type', kind: 'strip', outlets: 3 },
  KL130: { model: 'KL130(EU)', name: 'Wi-Fi Smart Bulb, Multicolor', hw: '1.0', sw: '1.8.11 Build 191113 Rel.105336', typeKey: 'mic_type', kind: 'bulb', color: true, kelvin: [2500, 9000] },
  KL110: { model: 'KL110(US)', name: 'Wi-Fi Smart Bulb, Dimmable', hw: '1.0', sw: '1.8.11 Build 191113 Rel.105336', typeKey: 'mic_type', kind: 'bulb' },
  KL430: { model: 'KL430(US)', name: 'Kasa Smart Light Strip, Multicolor', hw: '2.0', sw: '1.0.9 Build 210915 Rel.170534', typeKey: 'mic_type', kind: 'lightstrip', color: true, kelvin: [2500, 9000] },
} satisfies Record<string, KasaModel>;

interface TapoModel {
  model: string;
  type: 'SMART.TAPOPLUG' | 'SMART.TAPOBULB';
  hw: string;
  fw: string;
  sockets?: number;
  energy?: boolean;
}

const TAPO_MODELS = {
  P100: { model: 'P100', type: 'SMART.TAPOPLUG', hw: '1.0.0', fw: '1.4.2 Build 20240110 Rel. 40021' },
  P110: { model: 'P110', type: 'SMART.TAPOPLUG', hw: '1.0', fw: '1.3.1 Build 240621 Rel.162048', energy: true },
  L530: { model: 'L530', type: 'SMART.TAPOBULB', hw: '3.0', fw: '1.1.9 Build 240524 Rel.154236' },
  P300: { model: 'P300', type: 'SMART.TAPOPLUG', hw: '1.0', fw: '1.0.15 Build 240123 Rel.151422', sockets: 3 },
  P304M: { model: 'P304M', type: 'SMART.TAPOPLUG', hw: '1.0', fw: '1.0.6 Build 240514 Rel.104021', sockets: 4, energy: true },
} satisfies Record<string, TapoModel>;

export type KasaKey = keyof typeof KASA_MODELS;
export type TapoKey = keyof typeof TAPO_MODELS;

function hex(text: string, length: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, length).toUpperCase();
}

function mac(text: string, sep: string): string {
  return ['50', 'C7', 'BF', ...(hex(`mac:${text}`, 6).match(/../g) ?? [])].join(sep);
}

export interface Placement {
  alias: string;
  region: Region;
  on?: boolean;
  /** Outlet or socket names of a strip. */
  outlets?: string[];
  /** Nominal power in W while on (per outlet for strips). */
  powerW?: number;
}

function outletNames(place: Placement, count: number): string[] {
  return Array.from({ length: count }, (_, i) => place.outlets?.[i] ?? `${place.alias} ${i + 1}`);
}

export function kasaSpec(key: KasaKey, place: Placement): KasaSpec {
  const m: KasaModel = KASA_MODELS[key];
  const on = place.on ?? false;
  const sysinfo: Json = {
    sw_ver: m.sw,
    hw_ver: m.hw,
    model: m.model,
    [m.typeKey]: m.kind === 'bulb' || m.kind === 'lightstrip' ? 'IOT.SMARTBULB' : 'IOT.SMARTPLUGSWITCH',
    deviceId: '',
    oemId: hex(`oem:${m.model}`, 32),
    hwId: hex(`hw:${m.model}`, 32),
    fwId: '00000000000000000000000000000000',
    mac: mac(place.alias + m.model, ':'),
    alias: place.alias,
    rssi: -48 - (place.alias.length % 20),
    latitude_i: 0,
    longitude_i: 0,
    updating: 0,
    active_mode: 'none',
  };
  const spec: KasaSpec = { cloud: 'kasa', region: place.region, alias: place.alias, sysinfo };
  if (m.kind === 'bulb' || m.kind === 'lightstrip') {
    const look = { mode: 'normal', hue: 0, saturation: 0, color_temp: m.kelvin ? 2700 : 0, brightness: 80 };
    Object.assign(sysinfo, {
      description: m.name,
      is_dimmable: 1,
      is_color: m.color ? 1 : 0,
      is_variable_color_temp: m.kelvin ? 1 : 0,
      light_state: on ? { on_off: 1, ...look } : { on_off: 0, dft_on_state: look },
    });
    if (m.kind === 'lightstrip') sysinfo.length = 16;
    return spec;
  }
  Object.assign(sysinfo, { dev_name: m.name, icon_hash: '', led_off: 0, feature: m.emeter || m.outletMeters ? 'TIM:ENE' : 'TIM' });
  if (m.kind === 'strip') {
    const names = outletNames(place, m.outlets ?? 2);
    sysinfo.children = names.map((alias, i) => ({ id: '', alias, state: on && i % 2 === 0 ? 1 : 0, on_time: 0 }));
    if (m.outletMeters) spec.outletPowerW = names.map((_, i) => place.powerW ?? 5 + 11 * i);
    return spec;
  }
  sysinfo.relay_state = on ? 1 : 0;
  sysinfo.on_time = on ? 3600 : 0;
  if (m.kind === 'dimmer') sysinfo.brightness = 60;
  if (m.emeter) {
    const voltageV = m.model.includes('(US)') ? 120 : 230;
    spec.emeter = { shape: m.emeter, powerW: place.powerW ?? 60, totalWh: 12_000, voltageV };
  }
  return spec;
}

export function tapoSpec(key: TapoKey, place: Placement): TapoSpec {
  const m: TapoModel = TAPO_MODELS[key];
  const on = place.on ?? false;
  const common: Json = {
    avatar: m.type === 'SMART.TAPOBULB' ? 'bulb' : 'plug',
    fw_id: '00000000000000000000000000000000',
    fw_ver: m.fw,
    hw_id: hex(`hw:${m.model}`, 32),
    hw_ver: m.hw,
    model: m.model,
    oem_id: hex(`oem:${m.model}`, 32),
    region: place.region === 'eu' ? 'Europe/Berlin' : 'America/New_York',
    type: m.type,
  };
  const info: Json = {
    ...common,
    device_id: '',
    mac: mac(place.alias + m.model, '-'),
    nickname: place.alias,
    rssi: -52,
    signal_level: 2,
    lang: 'en_US',
    specs: '',
    time_diff: place.region === 'eu' ? 60 : -300,
    overheated: false,
  };
  const spec: TapoSpec = { cloud: 'tapo', region: place.region, alias: place.alias, info };
  if (m.energy) spec.energy = { powerW: place.powerW ?? 35, todayWh: 120, monthWh: 2_400 };
  if (m.sockets) {
    spec.children = outletNames(place, m.sockets).map((nickname, i) => ({
      ...common,
      category: 'plug.powerstrip.sub-plug',
      device_id: '',
      device_on: on && i === 0,
      nickname,
      on_time: 0,
      position: i + 1,
      slot_number: m.sockets,
      overheat_status: 'normal',
      status_follow_edge: true,
    }));
    return spec;
  }
  info.device_on = on;
  info.on_time = on ? 1800 : 0;
  if (m.type === 'SMART.TAPOBULB') {
    Object.assign(info, {
      brightness: 70,
      color_temp: 2700,
      color_temp_range: [2500, 6500],
      hue: 0,
      saturation: 100,
      dynamic_light_effect_enable: false,
    });
  } else {
    Object.assign(info, {
      auto_off_status: 'off',
      auto_off_remain_time: 0,
      power_protection_status: 'normal',
      charging_status: 'normal',
      overcurrent_status: 'normal',
    });
  }
  return spec;
}

/** A few of each family, used when neither fixtures nor synthetic devices are asked for. */
export function builtinDevices(): DeviceSpec[] {
  return [
    kasaSpec('HS100', { alias: 'Hall Lamp', region: 'eu' }),
    kasaSpec('KP115', { alias: 'Washing Machine', region: 'eu', on: true, powerW: 95 }),
    kasaSpec('HS110', { alias: 'Fridge', region: 'eu', on: true, powerW: 87.5 }),
    kasaSpec('HS200', { alias: 'Porch Light', region: 'use1' }),
    kasaSpec('HS220', { alias: 'Dining Room Dimmer', region: 'use1', on: true }),
    kasaSpec('HS300', {
      alias: 'Office Strip',
      region: 'use1',
      on: true,
      outlets: ['Monitor', 'Desk Lamp', 'Laptop Charger', 'Printer', 'Speakers', 'Router'],
    }),
    kasaSpec('KP303', { alias: 'Media Strip', region: 'eu', outlets: ['TV', 'Console', 'Soundbar'] }),
    kasaSpec('KL130', { alias: 'Living Room Lamp', region: 'eu', on: true }),
    kasaSpec('KL110', { alias: 'Bedroom Lamp', region: 'use1' }),
    kasaSpec('KL430', { alias: 'Kitchen Light Strip', region: 'use1', on: true }),
    tapoSpec('P100', { alias: 'Coffee Maker', region: 'eu' }),
    tapoSpec('P110', { alias: 'Dishwasher', region: 'eu', on: true, powerW: 1200 }),
    tapoSpec('L530', { alias: 'Reading Light', region: 'use1', on: true }),
    tapoSpec('P300', { alias: 'Garage Strip', region: 'eu', outlets: ['Charger', 'Radio', 'Fan'] }),
  ];
}

/** Twenty-slot patterns give exact shares: 10% HS300 of Kasa, 5% strips of Tapo. */
const KASA_PATTERN: KasaKey[] = [
  'HS103', 'KP115', 'HS300', 'HS100', 'KL130', 'HS200', 'HS110', 'KP303', 'HS103', 'HS220',
  'KP115', 'HS100', 'KL110', 'HS103', 'HS300', 'KP303', 'HS200', 'KL430', 'HS220', 'HS103',
];
const TAPO_PATTERN: TapoKey[] = [
  'P110', 'P100', 'L530', 'P100', 'P110', 'P100', 'L530', 'P110', 'P100', 'P300',
  'P110', 'P100', 'L530', 'P100', 'P110', 'P100', 'L530', 'P110', 'P100', 'L530',
];

/** `count` devices: 60% Kasa, 40% Tapo, alternating eu / use1. */
export function syntheticDevices(count: number): DeviceSpec[] {
  const kasaCount = Math.round(count * 0.6);
  const specs: DeviceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const region: Region = i % 2 === 0 ? 'eu' : 'use1';
    const on = i % 3 !== 0;
    if (i < kasaCount) {
      const key = KASA_PATTERN[i % KASA_PATTERN.length] ?? 'HS103';
      specs.push(kasaSpec(key, { alias: `Kasa ${key} ${i + 1}`, region, on }));
    } else {
      const t = i - kasaCount;
      // Every second Tapo strip is a P304M with per-socket energy.
      const base = TAPO_PATTERN[t % TAPO_PATTERN.length] ?? 'P100';
      const key: TapoKey = base === 'P300' && Math.floor(t / TAPO_PATTERN.length) % 2 === 1 ? 'P304M' : base;
      specs.push(tapoSpec(key, { alias: `Tapo ${key} ${t + 1}`, region, on }));
    }
  }
  return specs;
}
