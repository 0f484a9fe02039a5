/**
 * Every device of both clouds as flat rows, for `tplink-cloud-mqtt devices`.
 * A Tapo device the Kasa list also shows is listed once, as Tapo; a Kasa
 * device the (linked) Tapo list also shows is listed once, as Kasa.
 */
import { isCloudError, type CloudName } from '../clouds/common/errors.js';
import type { KasaClient, KasaDeviceListEntry } from '../clouds/kasa/client.js';
import type { TapoClient, TapoThing } from '../clouds/tapo/client.js';
import { decodeNickname } from '../model/names.js';

export interface OutletRow {
  id: string;
  name: string;
  on?: boolean;
}

export interface DeviceRow {
  id: string;
  name: string;
  model: string;
  cloud: CloudName;
  online: boolean;
  outlets: OutletRow[];
}

const SYSINFO = { system: { get_sysinfo: null } };
/** Sysinfo reads run a few at a time: quick, without hammering the cloud. */
const CONCURRENCY = 4;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTapoType(deviceType: string | undefined): boolean {
  return deviceType?.startsWith('SMART.') === true;
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Strip outlets from get_sysinfo `children`; older firmware gives only the two-digit suffix. */
export function kasaOutlets(deviceId: string, sysinfo: unknown): OutletRow[] {
  if (!isRecord(sysinfo) || !Array.isArray(sysinfo.children)) return [];
  return sysinfo.children.filter(isRecord).map((child) => {
    const raw = typeof child.id === 'string' ? child.id : '';
    const id = raw.length <= 2 ? `${deviceId}${raw.padStart(2, '0')}` : raw;
    return { id, name: typeof child.alias === 'string' ? child.alias : id, on: child.state === 1 };
  });
}

async function kasaRow(client: KasaClient, entry: KasaDeviceListEntry): Promise<DeviceRow> {
  const row: DeviceRow = {
    id: entry.deviceId,
    name: entry.alias,
    model: entry.deviceModel,
    cloud: 'kasa',
    online: entry.status === 1,
    outlets: [],
  };
  // Only plugs/switches can be strips; bulbs never have outlets.
  if (!row.online || entry.deviceType !== 'IOT.SMARTPLUGSWITCH') return row;
  try {
    const response = await client.passthrough(entry, SYSINFO);
    const system = response.system;
    row.outlets = kasaOutlets(entry.deviceId, isRecord(system) ? system.get_sysinfo : undefined);
  } catch (error) {
    if (isCloudError(error) && (error.kind === 'device_offline' || error.kind === 'device_not_bound')) row.online = false;
    else if (!isCloudError(error) || error.needsUser) throw error;
  }
  return row;
}

function tapoRows(things: TapoThing[]): DeviceRow[] {
  const rows = new Map<string, DeviceRow>();
  const name = (thing: TapoThing): string => decodeNickname(thing.nickname) || thing.deviceName || thing.model || thing.thingName;
  for (const thing of things) {
    if (thing.isSubThing && thing.edgeThingName) continue;
    rows.set(thing.thingName, {
      id: thing.thingName,
      name: name(thing),
      model: thing.model ?? thing.deviceName ?? '',
      cloud: 'tapo',
      online: thing.status === 1,
      outlets: [],
    });
  }
  const subs = things.filter((thing) => thing.isSubThing && thing.edgeThingName);
  subs.sort((a, b) => (a.position ?? a.slotNumber ?? 0) - (b.position ?? b.slotNumber ?? 0));
  for (const sub of subs) {
    const parent = rows.get(sub.edgeThingName ?? '');
    if (parent) parent.outlets.push({ id: sub.thingName, name: name(sub) });
    else rows.set(sub.thingName, { id: sub.thingName, name: name(sub), model: sub.model ?? '', cloud: 'tapo', online: sub.status === 1, outlets: [] });
  }
  return [...rows.values()];
}

export interface InventoryResult {
  rows: DeviceRow[];
  errors: { cloud: CloudName; message: string }[];
}

/** Lists both clouds; a cloud that fails is reported in `errors`, the other is still listed. */
export async function inventory(clients: { kasa?: KasaClient; tapo?: TapoClient }): Promise<InventoryResult> {
  const errors: InventoryResult['errors'] = [];
  const failed = (cloud: CloudName) => (error: unknown) => {
    errors.push({ cloud, message: error instanceof Error ? error.message : String(error) });
    return undefined;
  };
  const [kasaList, things] = await Promise.all([
    clients.kasa?.getDeviceList().catch(failed('kasa')),
    clients.tapo?.listThings().catch(failed('tapo')),
  ]);
  const tapo = things ? tapoRows(things) : [];
  const tapoIds = new Set(tapo.map((row) => row.id));
  const kasaIds = new Set((kasaList ?? []).map((entry) => entry.deviceId));

  const rows: DeviceRow[] = [];
  if (clients.kasa && kasaList) {
    const iot = kasaList.filter((entry) => !isTapoType(entry.deviceType));
    try {
      rows.push(...(await mapLimited(iot, CONCURRENCY, (entry) => kasaRow(clients.kasa as KasaClient, entry))));
    } catch (error) {
      failed('kasa')(error);
    }
    // Tapo devices seen only through Kasa (Tapo cloud not configured or failing): still Tapo.
    for (const entry of kasaList.filter((item) => isTapoType(item.deviceType) && !tapoIds.has(item.deviceId))) {
      rows.push({
        id: entry.deviceId,
        name: decodeNickname(entry.alias) || entry.deviceId,
        model: entry.deviceModel,
        cloud: 'tapo',
        online: false,
        outlets: [],
      });
    }
  }
  // Kasa devices a linked Tapo account lists: already shown from the Kasa list.
  const linkedKasa = new Set((things ?? []).filter((t) => !isTapoType(t.deviceType) && kasaIds.has(t.thingName)).map((t) => t.thingName));
  rows.push(...tapo.filter((row) => !linkedKasa.has(row.id)));
  return { rows, errors };
}

/** A plain text table; outlets follow their device, indented. */
export function formatTable(rows: DeviceRow[]): string {
  const header = ['ID', 'NAME', 'MODEL', 'CLOUD', 'ONLINE', 'OUTLETS'];
  const lines: string[][] = [header];
  for (const row of rows) {
    lines.push([row.id, row.name, row.model, row.cloud, row.online ? 'yes' : 'no', row.outlets.length > 0 ? String(row.outlets.length) : '-']);
    for (const outlet of row.outlets) {
      lines.push([`  ${outlet.id}`, `  ${outlet.name}`, '', '', '', outlet.on === undefined ? '' : outlet.on ? 'on' : 'off']);
    }
  }
  const widths = header.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  return `${lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}
