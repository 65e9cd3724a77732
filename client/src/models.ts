/** Crop models: which variables a model reads, and making one the page's model. */
import { api } from './api';
import { t } from './i18n';
import { setParams } from './permalink';
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
  setParams({ model: card.id === ctx.models[0]?.id ? null : card.id });
  emit(ctx, 'model');
}

/** A model's name in the page's language, from its card (classes and input variables), not its English title. */
export const modelTitle = (m: ModelCard): string => t('modelTitle', { n: m.classes.length, vars: modelVariables(m).map((v) => v.toUpperCase()).join('+') || m.id });
