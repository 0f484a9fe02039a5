/**
 * Every Kasa module: each file of this folder exporting `module` (sorted by
 * its `order`). Found by listing the folder, so a new feature's module is
 * picked up without touching any other file.
 */
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KasaModule } from '../module.js';
import { declareFeatures } from '../../../model/catalogue.js';

const here = fileURLToPath(import.meta.url);
const ext = extname(here);
const files = readdirSync(dirname(here))
  .filter((file) => file.endsWith(ext) && !file.endsWith(`.d${ext}`) && file !== `index${ext}`)
  .sort();
const loaded = (await Promise.all(files.map((file) => import(join(dirname(here), file))))) as Array<{ module?: KasaModule }>;

export const KASA_MODULES: readonly KasaModule[] = loaded
  .flatMap((exports) => (exports.module ? [exports.module] : []))
  .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));

for (const module of KASA_MODULES) declareFeatures(module.features);
