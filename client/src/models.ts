/** Crop models: which variables a model reads, and making one the page's model. */
import { api } from './api';
import { emit, type Ctx } from './state';
import type { ModelCard } from './types';

export const modelVariables = (m: ModelCard): string[] => m.inputs?.variables ?? m.variables ?? [];

/** Makes `m` the crop model of the page (its full card when the server has one). */
export async function selectModel(ctx: Ctx, m: ModelCard): Promise<void> {
  let card = m;
  try {
    card = await api.model(m.id);
  } catch {
    /* the list's summary has the classes the legend needs */
  }
  ctx.model = { value: card, error: null };
  emit(ctx, 'model');
}
