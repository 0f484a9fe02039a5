/** The JSON-friendly view of a node for `<base>/bridge/devices`, its features included. */
import type { Feature } from './feature.js';
import type { CloudName, DeviceNode, NodeKind } from './node.js';

export interface FeatureSummary {
  id: string;
  type: Feature['type'];
  readable: boolean;
  writable: boolean;
  /** The Home Assistant component of its own entity, or null for the parts of the main switch/light. */
  entity: string | null;
}

export interface NodeSummary {
  id: string;
  name: string;
  model: string;
  cloud: CloudName;
  kind: NodeKind;
  /** Parent node id for outlets, else null (JSON has no undefined). */
  parent: string | null;
  /** null until the node's first complete read (its interview). */
  features: FeatureSummary[] | null;
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
    features: node.features
      ? Object.values(node.features).map((f) => ({
          id: f.id,
          // A copy, so a caller serialising later never sees a node changed since.
          type: structuredClone(f.type),
          readable: f.readable,
          writable: f.writable,
          entity: f.entity?.component ?? null,
        }))
      : null,
    online: node.online,
  };
}
