/** Health, metrics and the service's computing footprint. */
import { Type } from 'typebox';
import { media, OpenObject } from './common.js';

export const Health = Type.Object(
  {
    status: Type.Literal('ok'),
    scenes: Type.Integer({ description: 'scenes in the catalog' }),
    catalogProblems: Type.Array(Type.Object({ file: Type.String(), error: Type.String() }, { additionalProperties: true }), { description: 'catalog items that could not be read' }),
    queues: Type.Record(
      Type.String(),
      Type.Object(
        { children: Type.Integer(), queued: Type.Integer(), running: Type.Integer(), oldestWaitMs: Type.Number(), waitP50Ms: Type.Number(), waitP95Ms: Type.Number(), waitMaxMs: Type.Number() },
        { additionalProperties: false },
      ),
      { description: 'worker lanes (interactive, bulk): processes, queue, running, queue wait of the last 256 tasks' },
    ),
  },
  { additionalProperties: false },
);
export const Starting = Type.Object({ status: Type.String(), waitingFor: Type.Array(Type.String()) }, { additionalProperties: false });

const Checks = Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), ms: Type.Number(), detail: Type.String() }, { additionalProperties: false }), { description: 'backing service -> whether it answered, in how many ms' });
export const Ready = Type.Object({ status: Type.Literal('ready'), mode: Type.String(), instance: Type.String(), checks: Checks }, { additionalProperties: false });
export const NotReady = Type.Object({ status: Type.Literal('unavailable'), mode: Type.String(), instance: Type.String(), failing: Type.Array(Type.String()), checks: Checks }, { additionalProperties: false });

export const MetricsText = media('Prometheus text exposition format 0.0.4', { 'text/plain': Type.String() });

const Footprint = Type.Object(
  { energyWh: Type.Number(), co2eGrams: Type.Number() },
  { additionalProperties: true, description: 'the footprint recorded by the crop-map job (docs/footprint.md): energy, emissions, CPU time, method' },
);

export const MapFootprint = Type.Object({ sceneId: Type.String(), modelId: Type.String(), footprint: Footprint, note: Type.String({ description: 'the dashboard\'s one-line note' }) }, { additionalProperties: false });
export const MapFootprints = Type.Object({ maps: Type.Array(MapFootprint) }, { additionalProperties: false });
export const MapFootprintParams = Type.Object({ sceneId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }), modelId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }) });

export const ServiceFootprint = Type.Object(
  {
    since: Type.String(),
    uptimeS: Type.Number(),
    method: OpenObject('summary, energy, cpuTime, formula'),
    assumptions: OpenObject('cpu, memory, cpus, pue, carbonIntensity, joulesPerCpuSecond'),
    uncertainty: Type.Array(Type.String()),
    totals: OpenObject('attributed, byKind, unattributed, service, reconciliation'),
    perThousandTiles: Type.Unknown(),
    perThousandRenderedTiles: Type.Unknown(),
    perKm2Mapped: Type.Unknown(),
    perCropMapJob: Type.Unknown(),
    tradeOff: OpenObject('the shipped model vs the baseline per km2, or {available: false, reason}'),
    configure: Type.String(),
  },
  { additionalProperties: false },
);
