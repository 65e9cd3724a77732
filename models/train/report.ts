/** Plain-text tables for the training log: MLP vs baseline side by side, and a confusion matrix. */
import type { CvResult } from './cross-validate.js';

const pct = (x: number): string => (100 * x).toFixed(1).padStart(6);

export function sideBySideTable(a: { label: string; cv: CvResult }, b: { label: string; cv: CvResult }): string {
  const w = Math.max(14, ...a.cv.perClass.map((c) => c.name.length)) + 1;
  const sub = '  prec    rec     F1';
  const colA = Math.max(sub.length, a.label.length);
  const cell = (p: number, r: number, f: number, width: number): string => `${pct(p)} ${pct(r)} ${pct(f)}`.padStart(width);
  const head = `${'class'.padEnd(w)}${'n'.padStart(5)} | ${a.label.padStart(colA)} | ${b.label}`;
  const rows = a.cv.perClass.map((c, i) => {
    const d = b.cv.perClass[i];
    const right = d ? cell(d.precision, d.recall, d.f1, sub.length) : '';
    return `${c.name.padEnd(w)}${String(c.support).padStart(5)} | ${cell(c.precision, c.recall, c.f1, colA)} | ${right}`;
  });
  const total = (name: string, x: number, y: number): string =>
    `${name.padEnd(w + 5)} | ${pct(x).padStart(colA)} | ${pct(y).padStart(sub.length)}`;
  const rule = '-'.repeat(w + 5 + 3 + colA + 3 + sub.length);
  return [
    head,
    `${''.padEnd(w + 5)} | ${sub.padStart(colA)} | ${sub}`,
    rule,
    ...rows,
    rule,
    total('overall accuracy', a.cv.overallAccuracy, b.cv.overallAccuracy),
    total('macro F1', a.cv.macroF1, b.cv.macroF1),
  ].join('\n');
}

export function confusionTable(cm: number[][], names: readonly string[]): string {
  const w = Math.max(...names.map((n) => n.length)) + 1;
  const abbrev = names.map((n) => n.slice(0, 6).padStart(7));
  return [
    `${'true \\ predicted'.padEnd(w)}${abbrev.join('')}`,
    ...cm.map((row, i) => `${(names[i] as string).padEnd(w)}${row.map((x) => String(x).padStart(7)).join('')}`),
  ].join('\n');
}
