/** The `device` and `origin` blocks of discovery payloads. */
import type { DeviceNode } from '../model/node.js';
import { PACKAGE_NAME, SUPPORT_URL } from '../version.js';

/** Prefixed so our identifiers never collide with another integration's bare ids. */
export function nodeIdentifier(nodeId: string): string {
  return `tplink_cloud_mqtt_${nodeId}`;
}

export function originBlock(version: string): Record<string, unknown> {
  return { name: PACKAGE_NAME, sw_version: version, support_url: SUPPORT_URL };
}

/**
 * `via` is the identifier of the device this one hangs off: its strip for an
 * outlet, the bridge otherwise. Outlets carry no MAC connection: they share
 * the strip's, and HA merges devices with a common connection.
 */
export function nodeDeviceBlock(node: DeviceNode, via: string): Record<string, unknown> {
  const block: Record<string, unknown> = {
    identifiers: [nodeIdentifier(node.id)],
    name: node.name,
    manufacturer: 'TP-Link',
    model: node.model,
  };
  if (node.mac && !node.parentId) block.connections = [['mac', node.mac]];
  if (node.modelFull && node.modelFull !== node.model) block.model_id = node.modelFull;
  if (node.swVersion) block.sw_version = node.swVersion;
  if (node.hwVersion) block.hw_version = node.hwVersion;
  block.via_device = via;
  return block;
}

export function bridgeDeviceBlock(bridgeId: string, version: string): Record<string, unknown> {
  return {
    identifiers: [bridgeId],
    name: 'TP-Link Cloud Bridge',
    manufacturer: PACKAGE_NAME,
    model: 'Bridge',
    sw_version: version,
  };
}
