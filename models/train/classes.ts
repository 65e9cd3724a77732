/**
 * Display colour and kind of each class. Colours are Paul Tol's "muted" qualitative scheme, designed
 * to stay distinguishable with the common colour-vision deficiencies; natural vegetation and pasture
 * take its green, olive and sand, crops its blues, reds and purples, so the two groups read apart
 * at a glance. (Tol, "Colour schemes", SRON/EPS/TN/09-002, https://personal.sron.nl/~pault/)
 */
type ClassKind = 'crop' | 'natural-vegetation' | 'pasture' | 'other';

const KNOWN: Record<string, { color: string; kind: ClassKind }> = {
  Forest: { color: '#117733', kind: 'natural-vegetation' },
  Cerrado: { color: '#999933', kind: 'natural-vegetation' },
  Pasture: { color: '#ddcc77', kind: 'pasture' },
  Soy_Corn: { color: '#cc6677', kind: 'crop' },
  Soy_Cotton: { color: '#882255', kind: 'crop' },
  Soy_Millet: { color: '#aa4499', kind: 'crop' },
  Soy_Sunflower: { color: '#332288', kind: 'crop' },
  Soy_Fallow: { color: '#88ccee', kind: 'crop' },
  Fallow_Cotton: { color: '#44aa99', kind: 'crop' },
};

const FALLBACK = ['#332288', '#88ccee', '#44aa99', '#117733', '#999933', '#ddcc77', '#cc6677', '#882255', '#aa4499'];

interface ClassEntry {
  id: number;
  name: string;
  color: string;
  kind: ClassKind;
}

/** Card entries for classes in model output order; unknown names cycle through the palette as "other". */
export function classEntries(names: readonly string[]): ClassEntry[] {
  return names.map((name, id) => {
    const k = KNOWN[name];
    return k ? { id, name, ...k } : { id, name, color: FALLBACK[id % FALLBACK.length] as string, kind: 'other' };
  });
}
