/** The JSON-friendly view of a node for `<base>/bridge/devices`. */
import type { Capabilities, CloudName, DeviceNode, NodeKind } from './node.js';

export interface NodeSummary {
  id: string;
  name: string;
  model: string;
  cloud: CloudName;
  kind: NodeKind;
  /** Parent node id for outlets, else null (JSON has no undefined). */
  parent: string | null;
  capabilities: Capabilities;
  online: boolean;
}

export function nodeSummary(node: DeviceNode): NodeSummary {
  return {
    id: node.id,
    name: node.name,
    model: node.model,
    cloud: node.cloud,
    kind: node.kind,
    parent: node.parentId ?? null,
    // A copy, so a caller serialising later never sees a node mutated since.
    capabilities: structuredClone(node.capabilities),
    online: node.online,
  };
}
