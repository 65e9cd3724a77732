/** `granary cropmap <scene> --queue`: checks scene, model and season, enqueues the job, prints its id. */
import type { Config } from '../config.js';
import { checkModel } from '../inference/ort-classifier.js';
import { ModelRegistry } from '../inference/registry.js';
import { GranaryError } from '../errors.js';
import { createBackends } from '../store/backends.js';
import { ClusterJobs } from './cluster.js';
import { planCropMap } from './plan.js';

export async function enqueueFromCli(config: Config, req: { scene: string; model?: string | undefined; season?: number | undefined }): Promise<number> {
  if (!config.redisUrl || !config.databaseUrl) throw new GranaryError('bad-request', '--queue needs cluster mode: set GRANARY_DATABASE_URL and GRANARY_REDIS_URL (or run without --queue)');
  const backends = await createBackends(config);
  const jobs = new ClusterJobs(backends.pg!, config.redisUrl, { attempts: config.jobAttempts });
  try {
    const models = new ModelRegistry(config.modelsDir, (e) => checkModel(e.session));
    const plan = await planCropMap({ config, catalog: backends.catalog, models }, req);
    const job = await jobs.submit(plan.params, plan.grid.total, `cli-${process.pid}`);
    console.log(`queued crop-map job ${job.id}: scene ${plan.params.scene}, model ${plan.params.model}, season ${plan.params.season}, ${plan.grid.total} blocks (GET /api/jobs/${job.id})`);
    return 0;
  } finally {
    await jobs.close();
    await backends.close();
  }
}
