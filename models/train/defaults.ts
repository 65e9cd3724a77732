/** The public training files and seed that granary train, the label audit and the ablation use by default. */
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_SAMPLES = `${repoRoot}fixtures/labels/mt_9classes_samples_public.csv`;
export const DEFAULT_TIMESERIES = `${repoRoot}fixtures/labels/mt_9classes_timeseries_public.csv`;
export const DEFAULT_SEED = 20240607;
