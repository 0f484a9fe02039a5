/**
 * A cloud's feature modules, found by listing their folder: every file of
 * it exporting `module`, sorted by `order` (then name), their features
 * declared to the catalogue. A new feature's module is picked up without
 * touching any other file.
 */
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Feature } from '../../model/feature.js';
import { declareFeatures } from '../../model/catalogue.js';

interface FeatureModule {
  name: string;
  order: number;
  features: Feature[];
}

/** The modules beside `indexUrl` (the folder's index file, which is left out). */
export async function modulesBeside<M extends FeatureModule>(indexUrl: string): Promise<readonly M[]> {
  const index = fileURLToPath(indexUrl);
  const folder = dirname(index);
  const ext = extname(index);
  const files = readdirSync(folder)
    .filter((file) => file.endsWith(ext) && !file.endsWith(`.d${ext}`) && file !== `index${ext}`)
    .sort();
  const loaded = (await Promise.all(files.map((file) => import(join(folder, file))))) as Array<{ module?: M }>;
  const modules = loaded.flatMap((exports) => (exports.module ? [exports.module] : [])).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  for (const module of modules) declareFeatures(module.features);
  return modules;
}
