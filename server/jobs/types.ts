/**
 * Jobs: long work (whole-scene crop maps) behind one small interface with two implementations,
 * chosen at start-up (server/jobs/index.ts):
 *
 *   InProcessJobs (embedded default)  a FIFO in this process; blocks classified on the worker pool
 *   ClusterJobs (GRANARY_REDIS_URL + GRANARY_DATABASE_URL)  BullMQ on Redis: one child job per native
 *       block, processed by any number of `granary worker` processes, and a parent job that assembles
 *       and publishes once every block is done; the state the API reports lives in PostgreSQL.
 */
import type { Check } from '../store/backends.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** What a crop-map job was asked for, resolved at submission (model id and season made explicit). */
export interface CropMapJobParams {
  scene: string;
  model: string;
  season: number;
}

export interface CropMapJobResult {
  cog: string;
  polygons: string;
  width: number;
  height: number;
  mappedPixels: number;
  polygonCount: number;
  wallSeconds: number;
  cpuSeconds: number;
}

export interface JobView {
  id: string;
  kind: 'cropmap';
  state: JobState;
  params: CropMapJobParams;
  blocksDone: number;
  blocksTotal: number;
  /** remaining seconds at the rate so far; null before the first block or once finished */
  etaSeconds: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  requestId: string | null;
  result: CropMapJobResult | null;
  error: string | null;
}

export interface JobQueue {
  readonly mode: 'in-process' | 'bullmq';
  submit(params: CropMapJobParams, blocksTotal: number, requestId: string | null): Promise<JobView>;
  get(id: string): Promise<JobView | null>;
  /** newest first */
  list(limit: number): Promise<JobView[]>;
  /** jobs waiting or running (metrics) */
  depth(): Promise<number>;
  checks(): Promise<Record<string, Check>>;
  /** stops taking work; running in-process jobs are abandoned as failed, queued ones are kept (cluster) */
  close(): Promise<void>;
}

export const JOB_ID = /^j[0-9a-z]{6,40}$/;

export function eta(done: number, total: number, startedAtMs: number | null, nowMs: number): number | null {
  if (startedAtMs === null || done <= 0 || done >= total) return null;
  const rate = done / Math.max(1e-3, (nowMs - startedAtMs) / 1000);
  return Math.round((total - done) / rate);
}
