/** Every fixture as one bridge would see it: Kasa and Tapo nodes with topic names. */
import type { DeviceNode } from '../../src/model/node.js';
import type { DiscoveryOptions } from '../../src/homeassistant/discovery.js';
import { entitySlug } from '../../src/mqtt/topics.js';
import { kasaCase, kasaFixtureNodes, tapoCase, tapoFixtureNodes } from '../devices/fixture-nodes.js';
import { fixtureFiles } from '../helpers/fixtures.js';

export function allFixtureNodes(): DeviceNode[] {
  const kasa = fixtureFiles('kasa').flatMap((file) => kasaFixtureNodes(kasaCase(file, true)));
  const tapo = fixtureFiles('tapo').flatMap((file) => tapoFixtureNodes(tapoCase(file)));
  return [...kasa, ...tapo];
}

/** A unique topic name per node, as the bridge's name registry would give. */
export function topicName(node: DeviceNode): string {
  return `${entitySlug(node.name)}_${node.id.slice(-6).toLowerCase()}`;
}

export function options(mode: DiscoveryOptions['mode'], over: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    prefix: 'homeassistant',
    mode,
    baseTopic: 'tplink',
    topicName,
    bridgeId: 'tplink_cloud_mqtt_test1234',
    version: '0.1.0',
    ...over,
  };
}
