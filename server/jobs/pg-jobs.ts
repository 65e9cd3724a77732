/** The job rows in PostgreSQL (cluster mode): what GET /api/jobs reports, shared by replicas and workers. */
import type { PgPool } from '../store/pg.js';
import { eta, type CropMapJobParams, type CropMapJobResult, type JobState, type JobView } from './types.js';

interface Row {
  id: string;
  kind: 'cropmap';
  params: CropMapJobParams;
  state: JobState;
  blocks_total: number;
  blocks_done: string;
  request_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  result: CropMapJobResult | null;
  error: string | null;
}

const SELECT = `SELECT j.*, (SELECT count(*) FROM job_blocks b WHERE b.job_id = j.id) AS blocks_done FROM jobs j`;

function view(r: Row): JobView {
  const done = Number(r.blocks_done);
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    params: r.params,
    blocksDone: done,
    blocksTotal: r.blocks_total,
    etaSeconds: r.state === 'running' ? eta(done, r.blocks_total, r.started_at?.getTime() ?? null, Date.now()) : null,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    requestId: r.request_id,
    result: r.result,
    error: r.error,
  };
}

export class PgJobs {
  constructor(readonly pool: PgPool) {}

  async create(id: string, params: CropMapJobParams, blocksTotal: number, requestId: string | null): Promise<void> {
    await this.pool.query(`INSERT INTO jobs (id, kind, params, state, blocks_total, request_id) VALUES ($1, 'cropmap', $2, 'queued', $3, $4)`, [id, JSON.stringify(params), blocksTotal, requestId]);
  }

  async get(id: string): Promise<JobView | null> {
    const { rows } = await this.pool.query<Row>(`${SELECT} WHERE j.id = $1`, [id]);
    return rows[0] ? view(rows[0]) : null;
  }

  async list(limit: number): Promise<JobView[]> {
    const { rows } = await this.pool.query<Row>(`${SELECT} ORDER BY j.created_at DESC, j.id DESC LIMIT $1`, [limit]);
    return rows.map(view);
  }

  async params(id: string): Promise<{ params: CropMapJobParams; state: JobState; blocksTotal: number; requestId: string | null; createdAt: Date } | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM jobs WHERE id = $1', [id]);
    const r = rows[0];
    return r ? { params: r.params, state: r.state, blocksTotal: r.blocks_total, requestId: r.request_id, createdAt: r.created_at } : null;
  }

  /** Records a finished block (idempotent: a block redone after a lost lock counts once). */
  async blockDone(id: string, block: number, sha256: string, worker: string, ms: number): Promise<void> {
    await this.pool.query(`INSERT INTO job_blocks (job_id, block, sha256, worker, ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id, block) DO NOTHING`, [id, block, sha256, worker, ms]);
    await this.pool.query(`UPDATE jobs SET state = 'running', started_at = COALESCE(started_at, now()) WHERE id = $1 AND state = 'queued'`, [id]);
  }

  async blocks(id: string): Promise<Array<{ block: number; sha256: string }>> {
    const { rows } = await this.pool.query<{ block: number; sha256: string }>('SELECT block, sha256 FROM job_blocks WHERE job_id = $1 ORDER BY block', [id]);
    return rows;
  }

  /** Marks a job failed unless it already finished; returns whether it changed. */
  async fail(id: string, error: string): Promise<boolean> {
    const r = await this.pool.query(`UPDATE jobs SET state = 'failed', error = $2, finished_at = now() WHERE id = $1 AND state IN ('queued', 'running')`, [id, error.slice(0, 2000)]);
    return (r.rowCount ?? 0) > 0;
  }

  async depth(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE state IN ('queued', 'running')`);
    return Number(rows[0]!.n);
  }
}
