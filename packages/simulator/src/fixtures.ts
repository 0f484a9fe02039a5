/**
 * Loads real-device fixtures (format of ../shared/fixtures, see its README)
 * at run time into device specs. Scrubbed ids and masked names are replaced:
 * ids by the registry's stable ids, names by readable ones.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isJson, text, type Json, type Region } from './model.js';
import type { DeviceSpec, KasaSpec, TapoSpec } from './registry.js';

const MASKED = /#MASKED_NAME#/;

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsonFiles(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

function decodeName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const plain = Buffer.from(decoded, 'utf8').toString('base64') === value ? decoded : value;
  return MASKED.test(plain) ? undefined : plain;
}

function regionOf(file: string, hint: string, index: number): Region {
  if (/\((US|CA)\)/.test(file) || hint.startsWith('America')) return 'use1';
  if (/\((EU|UK|DE|FR|IT|ES)\)/.test(file) || hint.startsWith('Europe')) return 'eu';
  return index % 2 === 0 ? 'eu' : 'use1';
}

function shortModel(model: unknown): string {
  return text(model, 'Device').replace(/\(.*\)$/, '');
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function milli(value: unknown): number | undefined {
  const number = num(value);
  return number === undefined ? undefined : number / 1000;
}

function kasaFromFixture(file: string, data: Json, index: number): KasaSpec | undefined {
  const system = data.system;
  if (!isJson(system) || !isJson(system.get_sysinfo)) return undefined;
  const sysinfo: Json = { ...system.get_sysinfo };
  delete sysinfo.err_code;
  const fixtureAlias = typeof sysinfo.alias === 'string' && !MASKED.test(sysinfo.alias) ? sysinfo.alias : undefined;
  const alias = fixtureAlias ?? `${shortModel(sysinfo.model)} #${index + 1}`;
  if (Array.isArray(sysinfo.children)) {
    sysinfo.children = sysinfo.children.filter(isJson).map((child, i) => ({
      ...child,
      alias: typeof child.alias === 'string' && !MASKED.test(child.alias) ? child.alias : `${alias} outlet ${i + 1}`,
    }));
  }
  const { system: _system, ...staticModules } = data;
  const spec: KasaSpec = {
    cloud: 'kasa',
    region: regionOf(basename(file), '', index),
    alias,
    sysinfo,
    staticModules,
  };
  const realtime = isJson(data.emeter) && isJson(data.emeter.get_realtime) ? data.emeter.get_realtime : undefined;
  if (realtime && realtime.err_code === 0) {
    // As captured: 0 W stays 0 W, the current is the meter's own.
    const old = 'power' in realtime;
    const reading = {
      powerW: (old ? num(realtime.power) : milli(realtime.power_mw)) ?? 0,
      totalWh: (old ? (num(realtime.total) ?? 0) * 1000 : num(realtime.total_wh)) ?? 0,
      voltageV: (old ? num(realtime.voltage) : milli(realtime.voltage_mv)) ?? 0,
      currentA: (old ? num(realtime.current) : milli(realtime.current_ma)) ?? 0,
    };
    // The HS300's one captured reading: what each outlet serves.
    if (Array.isArray(sysinfo.children)) spec.outletEmeter = reading;
    else spec.emeter = { shape: old ? 'old' : 'new', ...reading };
  }
  const bulb = isJson(data['smartlife.iot.common.emeter']) ? data['smartlife.iot.common.emeter'].get_realtime : undefined;
  if (isJson(system.get_sysinfo) && text(sysinfo.mic_type ?? sysinfo.type).includes('BULB')) {
    spec.bulbMeter = isJson(bulb) && bulb.err_code === 0 ? { powerW: milli(bulb.power_mw) ?? 0, totalWh: num(bulb.total_wh) ?? 0 } : 'none';
  }
  return spec;
}

function tapoFromFixture(file: string, data: Json, index: number): TapoSpec | undefined {
  if (!isJson(data.get_device_info)) return undefined;
  const info: Json = { ...data.get_device_info };
  const alias = decodeName(info.nickname) ?? `${shortModel(info.model)} #${index + 1}`;
  const spec: TapoSpec = {
    cloud: 'tapo',
    region: regionOf(basename(file), text(info.region), index),
    alias,
    info,
  };
  const { child_devices: childDevices, ...recorded } = data;
  spec.recorded = recorded;
  const list = isJson(data.get_child_device_list) ? data.get_child_device_list.child_device_list : undefined;
  if (Array.isArray(list)) {
    const children = list.filter(isJson).sort((a, b) => (num(a.position) ?? 0) - (num(b.position) ?? 0));
    spec.children = children.map((child, i) => ({
      ...child,
      nickname: decodeName(child.nickname) ?? `${alias} socket ${num(child.position) ?? i + 1}`,
    }));
    // Each socket's own answers (P316M): what a request addressed to that socket returns.
    spec.childRecorded = children.map((child) => {
      const own = isJson(childDevices) && typeof child.device_id === 'string' ? childDevices[child.device_id] : undefined;
      return isJson(own) ? own : undefined;
    });
  }
  return spec;
}

export interface LoadedFixtures {
  specs: DeviceSpec[];
  files: string[];
}

/** Every Kasa (IOT) and Tapo (smart) fixture under `dir`, recognised by content, in file-name order. */
export function loadFixtures(dir: string): LoadedFixtures {
  const specs: DeviceSpec[] = [];
  const files: string[] = [];
  for (const file of jsonFiles(dir)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!isJson(data)) continue;
    const spec = kasaFromFixture(file, data, specs.length) ?? tapoFromFixture(file, data, specs.length);
    if (spec) {
      specs.push(spec);
      files.push(file);
    }
  }
  return { specs, files };
}
