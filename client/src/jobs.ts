/**
 * "Crop map job" panel of the analyst view: starts a whole-scene crop map (POST /api/jobs/cropmap,
 * needs the service's bearer token) and follows it (GET /api/jobs/{id} once a second) with a
 * progress bar of blocks done, the state, the ETA, and the job's error in plain words.
 *
 * The token is kept in memory and in sessionStorage (this tab only, gone when it closes); it is
 * sent only in the Authorization header, never in a URL.
 */
import { modelList } from './datasets';
import { h, nextId } from './dom';
import { defineStrings, fmtNum, onLangChange, sceneTitle } from './i18n';
import { modelTitle, modelVariables } from './models';
import type { Ctx } from './state';
import type { ModelCard, Problem } from './types';

const tr = defineStrings(
  'jobs',
  {
    title: 'Crop map job',
    intro: 'Maps the whole scene with the chosen model on the server. Starting a job needs the service token.',
    token: 'Service token',
    scene: 'Scene',
    model: 'Model',
    start: 'Start',
    noModels: 'No model can read this scene.',
    needToken: 'Enter the service token first.',
    starting: 'Starting…',
    queued: 'Waiting for a worker',
    running: 'Running',
    done: 'Done',
    failed: 'Failed',
    blocks: '{done} of {total} blocks',
    eta: 'about {s} s left',
    result: '{n} crop polygons mapped in {s} s',
    refusedToken: 'The service refused the token (check it and try again).',
    refused: 'The service refused the job: {detail}',
    unreachable: 'The service cannot be reached; check the connection and try again.',
    lost: 'Lost track of the job: {detail}',
    jobFailed: 'The job failed: {detail}',
  },
  {
    title: 'Tarefa de mapa de culturas',
    intro: 'Mapeia a cena inteira com o modelo escolhido no servidor. Iniciar uma tarefa exige a chave do serviço.',
    token: 'Chave do serviço',
    scene: 'Cena',
    model: 'Modelo',
    start: 'Iniciar',
    noModels: 'Nenhum modelo lê esta cena.',
    needToken: 'Informe primeiro a chave do serviço.',
    starting: 'Iniciando…',
    queued: 'Aguardando um processador',
    running: 'Em execução',
    done: 'Concluída',
    failed: 'Falhou',
    blocks: '{done} de {total} blocos',
    eta: 'faltam cerca de {s} s',
    result: '{n} polígonos de culturas mapeados em {s} s',
    refusedToken: 'O serviço recusou a chave (confira e tente de novo).',
    refused: 'O serviço recusou a tarefa: {detail}',
    unreachable: 'Não foi possível falar com o serviço; confira a conexão e tente de novo.',
    lost: 'Perdemos o acompanhamento da tarefa: {detail}',
    jobFailed: 'A tarefa falhou: {detail}',
  },
);

/** What GET /api/jobs/{id} answers (server/routes/jobs: the fields this panel reads). */
interface JobStatus {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  blocksDone: number;
  blocksTotal: number;
  etaSeconds: number | null;
  result: { polygonCount: number; wallSeconds: number } | null;
  error: string | null;
}

const TOKEN_KEY = 'granary.token';
const POLL_MS = 1000;

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export class CropMapJobPanel {
  readonly el = h('section', { class: 'cropmap-job', 'data-testid': 'cropmap-job' });
  private token = storedToken();
  private models: ModelCard[] = [];
  private sceneId: string;
  private modelId = '';
  private job: JobStatus | null = null;
  /** a message in plain words (error or progress note), already translated */
  private message = '';
  private busy = false;
  private poll: ReturnType<typeof setTimeout> | undefined;
  private run = 0;
  private readonly statusBox = h('div', { class: 'job-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'job-status' });
  private startBtn: HTMLButtonElement | null = null;

  constructor(private readonly ctx: Ctx) {
    this.sceneId = ctx.scene.id;
    onLangChange(() => this.render());
    modelList().then(
      (m) => {
        this.models = m;
        this.render();
      },
      () => this.render(),
    );
    this.render();
  }

  private modelsForScene(): ModelCard[] {
    const vars = this.ctx.scenes.find((s) => s.id === this.sceneId)?.variables ?? [];
    return this.models.filter((m) => modelVariables(m).every((v) => vars.includes(v)));
  }

  private render(): void {
    const tokenId = nextId('job-token');
    const sceneId = nextId('job-scene');
    const modelId = nextId('job-model');
    const token = h('input', { id: tokenId, type: 'password', autocomplete: 'off', value: this.token, 'data-testid': 'job-token' });
    token.addEventListener('input', () => {
      this.token = token.value.trim();
      try {
        sessionStorage.setItem(TOKEN_KEY, this.token);
      } catch {
        /* storage refused: the token stays in memory only */
      }
    });
    const scenes = this.ctx.scenes.filter((s) => s.purpose === 'data' || s.id === this.sceneId);
    const sceneSel = h('select', { id: sceneId, 'data-testid': 'job-scene' }, ...scenes.map((s) => h('option', { value: s.id, selected: s.id === this.sceneId }, sceneTitle(s.id, s.title))));
    sceneSel.addEventListener('change', () => {
      this.sceneId = sceneSel.value;
      this.render();
    });
    const models = this.modelsForScene();
    if (!models.some((m) => m.id === this.modelId)) this.modelId = models[0]?.id ?? '';
    const modelSel = h('select', { id: modelId, 'data-testid': 'job-model', disabled: models.length === 0 }, ...models.map((m) => h('option', { value: m.id, selected: m.id === this.modelId }, `${modelTitle(m)} (${m.id})`)));
    modelSel.addEventListener('change', () => (this.modelId = modelSel.value));
    const start = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'job-start', disabled: this.busy || models.length === 0, onclick: () => void this.start() }, tr('start'));
    this.startBtn = start;

    const form = h(
      'div',
      { class: 'job-form' },
      h('label', { for: tokenId }, tr('token')),
      token,
      h('label', { for: sceneId }, tr('scene')),
      sceneSel,
      h('label', { for: modelId }, tr('model')),
      models.length ? modelSel : h('p', { class: 'muted' }, tr('noModels')),
      start,
    );
    this.el.replaceChildren(h('h2', {}, tr('title')), h('p', { class: 'hint' }, tr('intro')), form, this.statusBox);
    this.renderStatus();
  }

  /** Only the status part, so a poll never rebuilds the form the user may be typing in. */
  private renderStatus(): void {
    const j = this.job;
    const box = this.statusBox;
    box.replaceChildren();
    box.dataset.state = j?.state ?? '';
    if (this.startBtn) this.startBtn.disabled = this.busy || !this.modelId;
    if (j) {
      const bar = h('progress', { max: Math.max(1, j.blocksTotal), value: j.blocksDone, 'data-testid': 'job-progress' });
      bar.setAttribute('aria-label', tr('blocks', { done: fmtNum(j.blocksDone), total: fmtNum(j.blocksTotal) }));
      const parts = [tr(j.state), tr('blocks', { done: fmtNum(j.blocksDone), total: fmtNum(j.blocksTotal) })];
      if (j.state === 'running' && j.etaSeconds !== null) parts.push(tr('eta', { s: fmtNum(Math.ceil(j.etaSeconds)) }));
      if (j.state === 'done' && j.result) parts.push(tr('result', { n: fmtNum(j.result.polygonCount), s: fmtNum(j.result.wallSeconds, 1) }));
      box.append(bar, h('p', {}, parts.join(' · ')));
    }
    if (this.message) box.append(h('p', { class: this.busy ? 'muted' : 'job-error', 'data-testid': 'job-message' }, this.message));
  }

  private async start(): Promise<void> {
    if (!this.token) {
      this.message = tr('needToken');
      this.renderStatus();
      return;
    }
    const run = ++this.run;
    clearTimeout(this.poll);
    this.busy = true;
    this.job = null;
    this.message = tr('starting');
    this.renderStatus();
    let res: Response;
    try {
      res = await fetch('/api/jobs/cropmap', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ scene: this.sceneId, model: this.modelId || undefined }),
      });
    } catch {
      return this.finish(run, tr('unreachable'));
    }
    if (res.status !== 202) {
      const detail = await problemText(res);
      return this.finish(run, res.status === 401 || res.status === 403 ? tr('refusedToken') : tr('refused', { detail }));
    }
    const job = (await res.json()) as JobStatus;
    const location = res.headers.get('Location') ?? `/api/jobs/${encodeURIComponent(job.id)}`;
    this.show(run, job, location);
  }

  private show(run: number, job: JobStatus, location: string): void {
    if (run !== this.run) return;
    this.job = job;
    this.message = job.state === 'failed' ? tr('jobFailed', { detail: job.error ?? '?' }) : '';
    if (job.state === 'done' || job.state === 'failed') {
      this.busy = false;
      this.renderStatus();
      return;
    }
    this.renderStatus();
    this.poll = setTimeout(() => void this.check(run, location), POLL_MS);
  }

  private async check(run: number, location: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(location, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    } catch {
      // a dropped connection: keep following, the job runs on the server regardless
      if (run === this.run) this.poll = setTimeout(() => void this.check(run, location), POLL_MS * 3);
      return;
    }
    if (!res.ok) return this.finish(run, tr('lost', { detail: await problemText(res) }));
    this.show(run, (await res.json()) as JobStatus, location);
  }

  private finish(run: number, message: string): void {
    if (run !== this.run) return;
    this.busy = false;
    this.message = message;
    this.renderStatus();
  }
}

async function problemText(res: Response): Promise<string> {
  try {
    const p = (await res.json()) as Problem;
    return p.detail ?? p.title ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}
