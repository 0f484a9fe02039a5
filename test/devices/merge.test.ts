import { describe, expect, it } from 'vitest';
import type { KasaListEntryInput } from '../../src/model/inputs.js';
import { kasaNodes } from '../../src/clouds/kasa/devices.js';
import { mergeClouds } from '../../src/model/merge.js';
import { nodeSummary } from '../../src/model/summary.js';
import { tapoNodes } from '../../src/clouds/tapo/devices.js';

const kasaEntry = (over: Partial<KasaListEntryInput>): KasaListEntryInput => ({
  deviceId: 'K1',
  alias: 'Kasa plug',
  deviceModel: 'HS103(US)',
  deviceType: 'IOT.SMARTPLUGSWITCH',
  appServerUrl: 'https://use1-wap.tplinkcloud.com',
  status: 1,
  ...over,
});

const strip = {
  system: {
    get_sysinfo: {
      type: 'IOT.SMARTPLUGSWITCH',
      model: 'KP303(UK)',
      mac: '1C:3B:F3:AA:BB:CC',
      children: [{ id: '00', state: 1 }, { id: '01', state: 0 }],
    },
  },
};

describe('mergeClouds', () => {
  const tapo = tapoNodes([
    { thingName: 'T1', nickname: 'VGFwbyBwbHVn', model: 'P110', deviceType: 'SMART.TAPOPLUG', category: 'plug', status: 1, mac: 'AA-BB-CC-DD-EE-01' },
    { thingName: 'T2', nickname: 'U3RyaXA=', model: 'P300', deviceType: 'SMART.TAPOPLUG', category: 'plug', status: 1, mac: '1C3BF3AABBCC' },
  ]);

  it('publishes a Tapo device listed by Kasa once, as the Tapo node', () => {
    const kasa = [
      ...kasaNodes(kasaEntry({ deviceId: 'T1', deviceType: 'SMART.TAPOPLUG', deviceModel: 'P110', alias: 'VGFwbyBwbHVn', status: 0 })).nodes,
      ...kasaNodes(kasaEntry({ deviceId: 'K1' })).nodes,
    ];
    const merged = mergeClouds(kasa, tapo);
    expect(merged.map((n) => n.id)).toEqual(['kasa_K1', 'tapo_T1', 'tapo_T2']);
  });

  it('drops SMART.* Kasa entries even without the Tapo cloud: Kasa cannot drive them', () => {
    const kasa = kasaNodes(kasaEntry({ deviceId: 'X9', deviceType: 'SMART.TAPOBULB', deviceModel: 'L530' })).nodes;
    expect(mergeClouds(kasa, [])).toEqual([]);
  });

  it('matches by id or MAC and drops the Kasa outlets with their strip', () => {
    const byId = kasaNodes(kasaEntry({ deviceId: 'T1', deviceModel: 'HS103(US)' })).nodes;
    const byMac = kasaNodes(kasaEntry({ deviceId: 'K2', deviceModel: 'KP303(UK)' }), strip).nodes;
    expect(byMac).toHaveLength(3);
    const merged = mergeClouds([...byId, ...byMac], tapo);
    expect(merged.map((n) => n.id)).toEqual(['tapo_T1', 'tapo_T2']);
  });

  it('keeps the first of two nodes with the same id', () => {
    const a = kasaNodes(kasaEntry({ alias: 'first' })).nodes;
    const b = kasaNodes(kasaEntry({ alias: 'second' })).nodes;
    expect(mergeClouds([...a, ...b], []).map((n) => n.name)).toEqual(['first']);
  });
});

describe('nodeSummary', () => {
  it('is JSON-friendly and detached from the node', () => {
    const [parent, outlet] = kasaNodes(kasaEntry({ deviceId: 'K2', deviceModel: 'KP303(UK)' }), strip).nodes;
    const summary = nodeSummary(outlet!);
    expect(summary).toEqual({
      id: 'kasa_K200',
      name: 'Kasa plug 1',
      model: 'KP303',
      cloud: 'kasa',
      kind: 'outlet',
      parent: parent?.id,
      capabilities: outlet?.capabilities,
      online: true,
    });
    expect(nodeSummary(parent!).parent).toBeNull();
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    summary.capabilities.relay = false;
    expect(outlet?.capabilities.relay).toBe(true);
  });
});
