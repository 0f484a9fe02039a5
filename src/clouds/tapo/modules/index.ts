/**
 * Every Tapo module: each file of this folder exporting `module` (sorted by
 * its `order`). Found by listing the folder, so a new feature's module is
 * picked up without touching any other file.
 */
import type { TapoModule } from '../module.js';
import { modulesBeside } from '../../common/modules.js';

export const TAPO_MODULES = await modulesBeside<TapoModule>(import.meta.url);
