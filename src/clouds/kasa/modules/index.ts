/**
 * Every Kasa module: each file of this folder exporting `module` (sorted by
 * its `order`). Found by listing the folder, so a new feature's module is
 * picked up without touching any other file.
 */
import type { KasaModule } from '../module.js';
import { modulesBeside } from '../../common/modules.js';

export const KASA_MODULES = await modulesBeside<KasaModule>(import.meta.url);
