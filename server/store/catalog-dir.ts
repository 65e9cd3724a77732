/** Where the embedded file catalog lives (one STAC Item JSON per scene): a module of its own so the CLI need not load the backends. */
import { join } from 'node:path';
import type { Config } from '../config.js';

export const catalogDirOf = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'catalog');
