/**
 * Every feature any module can give a node, whatever the cloud: filled by
 * the modules' index files as they load. Command parsing uses it to tell an
 * unknown key from a feature this node lacks, and discovery to clear every
 * entity a node could ever have had.
 */
import type { Feature } from './feature.js';
import { COMMON_FEATURES } from './features.js';

const catalogue = new Map<string, Feature>(COMMON_FEATURES.map((feature) => [feature.id, feature]));

export function declareFeatures(features: Iterable<Feature>): void {
  for (const feature of features) if (!catalogue.has(feature.id)) catalogue.set(feature.id, feature);
}

export function knownFeature(id: string): Feature | undefined {
  return catalogue.get(id);
}

/** The shared features in their documented order, then the modules' own by id (modules load in any order). */
export function allFeatures(): Feature[] {
  const common = new Set(COMMON_FEATURES.map((feature) => feature.id));
  const own = [...catalogue.values()].filter((feature) => !common.has(feature.id)).sort((a, b) => a.id.localeCompare(b.id));
  return [...COMMON_FEATURES, ...own];
}
