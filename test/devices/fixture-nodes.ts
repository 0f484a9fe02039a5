/**
 * Turns the shared real-device fixtures into what the clouds would deliver:
 * a Kasa list entry + passthrough answer, or Tapo things + shadows + usage.
 * Fixtures are scrubbed (zero ids, zero or shared MACs), so each device gets
 * a fresh id and MAC derived from its file name, as the simulator does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { KasaListEntryInput, TapoShadowInput, TapoThingInput, TapoUsageInput } from '../../src/model/inputs.js';
import type { DeviceNode } from '../../src/model/node.js';
import { NodeStore } from '../../src/runtime/node-store.js';
import { kasaCadenceReading, kasaEnergyReading, kasaIdentity, kasaReadings } from '../../src/clouds/kasa/devices.js';
import { tapoReadings, tapoTargets, tapoUsageReading, withStripStates } from '../../src/clouds/tapo/devices.js';
import { fixtureFiles } from '../helpers/fixtures.js';
import { show } from '../helpers/show.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readFixture(file: string): Obj {
  return JSON.parse(readFileSync(file, 'utf8')) as Obj;
}

function hex(seed: string, length: number): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, length).toUpperCase();
}

export function fakeMac(seed: string): string {
  return (hex(`mac:${seed}`, 12).match(/../g) ?? []).join(':');
}

export interface KasaCase {
  file: string;
  model: string;
  entry: KasaListEntryInput;
  response: Obj;
}

/** `unique`: give the device a fresh MAC (for whole-bridge checks). */
export function kasaCase(file: string, unique = false): KasaCase {
  const response = readFixture(file);
  const sysinfo: Obj = isObj(response.system) && isObj(response.system.get_sysinfo) ? response.system.get_sysinfo : {};
  if (unique) {
    if ('mac' in sysinfo) sysinfo.mac = fakeMac(file);
    if ('mic_mac' in sysinfo) sysinfo.mic_mac = fakeMac(file).replace(/:/g, '');
  }
  const model = show(sysinfo.model ?? basename(file).split('_')[0]);
  return {
    file,
    model,
    entry: {
      deviceId: hex(file, 40),
      alias: show(sysinfo.alias ?? 'x'),
      deviceModel: model,
      deviceType: show(sysinfo.type ?? sysinfo.mic_type ?? 'IOT.SMARTPLUGSWITCH'),
      appServerUrl: 'https://use1-wap.tplinkcloud.com',
      status: 1,
      fwVer: show(sysinfo.sw_ver ?? ''),
      deviceHwVer: show(sysinfo.hw_ver ?? ''),
    },
    response,
  };
}

export interface TapoCase {
  file: string;
  model: string;
  things: TapoThingInput[];
  shadows: Map<string, TapoShadowInput>;
  usage?: TapoUsageInput;
}

/** The shadow's `reported`: device info with `device_on` renamed `on` (fixtures README). */
function reported(info: Obj): Obj {
  const { device_on, ...rest } = info;
  return device_on === undefined ? rest : { ...rest, on: device_on };
}

export function tapoCase(file: string): TapoCase {
  const data = readFixture(file);
  const info = isObj(data.get_device_info) ? data.get_device_info : {};
  const type = show(info.type ?? 'SMART.TAPOPLUG');
  const thingName = hex(file, 40);
  const things: TapoThingInput[] = [
    {
      thingName,
      nickname: show(info.nickname ?? ''),
      model: show(info.model ?? ''),
      deviceType: type,
      category: type.includes('BULB') ? 'bulb' : 'plug',
      status: 1,
      appServerUrl: 'https://euw1-app-server.iot.i.tplinknbu.com',
      isSubThing: false,
      mac: fakeMac(file),
      hwVer: show(info.hw_ver ?? ''),
      fwVer: show(info.fw_ver ?? ''),
    },
  ];
  const shadows = new Map<string, TapoShadowInput>([[thingName, { thingName, state: { reported: reported(info) }, version: 1 }]]);
  const children = isObj(data.get_child_device_list) ? data.get_child_device_list.child_device_list : undefined;
  (Array.isArray(children) ? children.filter(isObj) : []).forEach((child, i) => {
    const childName = `${thingName}${show(i).padStart(2, '0')}`;
    things.push({
      thingName: childName,
      nickname: show(child.nickname ?? ''),
      model: show(child.model ?? ''),
      deviceType: show(child.type ?? type),
      category: show(child.category ?? 'plug.powerstrip.sub-plug'),
      status: 1,
      isSubThing: true,
      edgeThingName: thingName,
      position: typeof child.position === 'number' ? child.position : undefined,
      mac: show(child.mac ?? ''),
    });
    shadows.set(childName, { thingName: childName, state: { reported: reported(child) }, version: 3 });
  });
  const energy = isObj(data.get_energy_usage) ? data.get_energy_usage : undefined;
  return { file, model: show(info.model ?? ''), things, shadows, usage: energy ? { energy_usage: energy } : undefined };
}

/** The nodes a bridge builds from one Kasa fixture: list entry, state read, outlets' energy. */
export function kasaFixtureNodes(c: KasaCase): DeviceNode[] {
  const store = new NodeStore();
  const identity = kasaIdentity(c.entry);
  if (!identity) return [];
  store.applyList('kasa', [identity]);
  store.applyReadings(kasaReadings(identity, c.response, 1).readings);
  for (const node of store.all()) {
    if (!node.parentId) continue;
    const { reading } = kasaEnergyReading(node, { emeter: c.response.emeter }, 2);
    if (reading) store.applyReadings([reading]);
  }
  return store.all();
}

/**
 * The device of the Kasa fixture whose file name starts with `prefix`,
 * interviewed and with its settings read (as at interview, then every
 * poll.settingsIntervalS); throws when a read reports a problem.
 */
export function kasaFixtureDevice(prefix: string): { node: DeviceNode; response: Obj } {
  const file = fixtureFiles('kasa').find((f) => basename(f).startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  const c = kasaCase(file);
  const [interviewed] = kasaFixtureNodes(c);
  if (!interviewed) throw new Error(`${prefix}: no node`);
  const { reading, problems } = kasaCadenceReading(interviewed, c.response, 2, 'settings');
  const stateProblems = kasaReadings(interviewed, c.response, 1).problems;
  if (problems.length + stateProblems.length > 0) throw new Error(`${prefix}: ${[...stateProblems, ...problems].join('; ')}`);
  const node: DeviceNode = { ...interviewed, features: { ...interviewed.features, ...reading?.features }, state: { ...interviewed.state, ...reading?.values } };
  return { node, response: c.response };
}

/** The nodes a bridge builds from one Tapo fixture: things, shadows, usage. */
export function tapoFixtureNodes(c: TapoCase): DeviceNode[] {
  const store = new NodeStore();
  const targets = tapoTargets(c.things);
  store.applyList('tapo', targets.map((t) => t.node));
  store.applyReadings(withStripStates(tapoReadings(targets, c.shadows, 1)));
  for (const node of store.all()) {
    const reading = c.usage ? tapoUsageReading(node, c.usage, 2) : undefined;
    if (reading) store.applyReadings([reading]);
  }
  return store.all();
}
