/**
 * What one read of the cloud says about one node. Readings carry only what
 * the read saw: a partial read (energy only, a module that failed) never
 * speaks for values or features it did not read.
 */
import type { FeatureSet } from './feature.js';
import type { NodeIdentity, NodeState } from './node.js';

/** 'read': the state read (the only one that interviews); the others name their cadence. */
export type ValueSource = 'read' | 'energy' | 'settings' | 'firmware' | 'command';

export interface NodeReading {
  id: string;
  /** Identity as this read saw it (name, firmware...), when it tells. */
  identity?: NodeIdentity;
  /**
   * The features this read found. Set only by a complete read (every module
   * answered): an interview. Partial reads leave it out.
   */
  features?: FeatureSet;
  /** The values read, only those this read carried. */
  values: NodeState;
  source: ValueSource;
  /** When the request that read it was sent (ms since epoch): older than a command, it loses. */
  sentAt: number;
}
