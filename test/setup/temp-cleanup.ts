/** Per test file: the temporary folders it made go once its own afterAll hooks have run. */
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp.js';

afterAll(removeTempDirs);
