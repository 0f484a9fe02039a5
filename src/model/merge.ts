/** One physical device, one node: reconciling the Kasa and Tapo lists. */
import type { DeviceNode } from './node.js';

function isTapoInKasa(node: DeviceNode): boolean {
  return (node.deviceType ?? '').toUpperCase().startsWith('SMART.');
}

/**
 * Both clouds' nodes, each physical device once. A Tapo device that the Kasa
 * list also carries (deviceType SMART.*, its deviceId equal to a thingName, or
 * the same MAC) is kept as the Tapo node only: Kasa passthrough cannot drive
 * it (-20571). Dropping a Kasa node drops its outlets too. Duplicate ids keep
 * the first node, so unique_ids stay unique.
 */
export function mergeClouds(kasaNodes: DeviceNode[], tapoNodes: DeviceNode[]): DeviceNode[] {
  const thingNames = new Set(tapoNodes.flatMap((n) => (n.address.cloud === 'tapo' ? [n.address.thingName] : [])));
  const tapoMacs = new Set(tapoNodes.flatMap((n) => (n.mac ? [n.mac] : [])));
  const dropped = new Set<string>();
  for (const node of kasaNodes) {
    if (node.parentId) continue;
    const deviceId = node.address.cloud === 'kasa' ? node.address.deviceId : undefined;
    const duplicate =
      isTapoInKasa(node) ||
      (deviceId !== undefined && thingNames.has(deviceId)) ||
      (node.mac !== undefined && tapoMacs.has(node.mac));
    if (duplicate) dropped.add(node.id);
  }
  const keptKasa = kasaNodes.filter((n) => !dropped.has(n.id) && !(n.parentId && dropped.has(n.parentId)));
  const seen = new Set<string>();
  return [...keptKasa, ...tapoNodes].filter((n) => {
    if (seen.has(n.id)) return false;
    seen.add(n.id);
    return true;
  });
}
