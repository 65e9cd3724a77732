/**
 * `granary labels review`: fill in label-decisions.csv with a documented rule, from the evidence
 * in suspect-samples.geojson. The rule stands in for a reviewer looking at the sample's curves
 * beside its class's typical (median) curves; it is written into every row's note, so the file can
 * be read, argued with and edited by hand before `granary train --decisions`.
 *
 * RULE v1, per flagged sample (given label g, likely label l, out-of-fold probabilities p):
 *   relabel to l  when p(l) >= 0.9 AND the curves agree with l: the sample's NDVI+EVI curves are closer
 *                 (RMSE) to l's median curves than to g's, AND its number of NDVI growing-season peaks
 *                 equals that of l's median curve (two peaks = double crop, one = single season);
 *   drop          when not relabelled but the curves do not support g either: closer to l's median
 *                 than to g's (the model and the curve both doubt g, without enough certainty to say l);
 *   keep          otherwise: the curve looks like its given class; the model's doubt is its own confusion.
 */
import { readFileSync } from 'node:fs';
import { columnIndex, parseCsv } from '../contract/csv.js';
import { csvLine, DECISION_COLUMNS } from './audit.js';
import { writeFileAtomic } from './files.js';

const RULE_ID = 'rule v1';
const RELABEL_MIN_P = 0.9;

export interface SuspectEvidence {
  sample_id: string;
  given_label: string;
  likely_label: string;
  p_given: number;
  p_likely: number;
  rmse_given: number;
  rmse_likely: number;
  peaks_sample: number;
  peaks_given: number;
  peaks_likely: number;
}

interface ReviewedDecision {
  decision: 'keep' | 'drop' | 'relabel';
  newLabel: string;
  note: string;
}

const f3 = (x: number) => x.toFixed(3);

export function reviewSuspect(e: SuspectEvidence): ReviewedDecision {
  const closerToLikely = e.rmse_likely < e.rmse_given;
  const peaksAgree = e.peaks_sample === e.peaks_likely;
  const facts = `p(likely)=${f3(e.p_likely)} p(given)=${f3(e.p_given)}; RMSE to median ${e.likely_label} ${f3(e.rmse_likely)} vs ${e.given_label} ${f3(e.rmse_given)}; NDVI peaks ${e.peaks_sample} (medians: ${e.given_label} ${e.peaks_given}, ${e.likely_label} ${e.peaks_likely})`;
  if (e.p_likely >= RELABEL_MIN_P && closerToLikely && peaksAgree) {
    return { decision: 'relabel', newLabel: e.likely_label, note: `${RULE_ID}: relabel (p(likely)>=${RELABEL_MIN_P}, curve closer to likely median, peak count matches likely): ${facts}` };
  }
  if (closerToLikely) {
    const why = e.p_likely < RELABEL_MIN_P ? `p(likely)<${RELABEL_MIN_P}` : 'peak count differs from likely';
    return { decision: 'drop', newLabel: '', note: `${RULE_ID}: drop (curve closer to likely median but ${why}: uncertain between the two): ${facts}` };
  }
  return { decision: 'keep', newLabel: '', note: `${RULE_ID}: keep (curve closer to given median): ${facts}` };
}

/** Reads the audit's suspect-samples.geojson into evidence rows keyed by sample id. */
function readEvidence(geojsonText: string): Map<string, SuspectEvidence> {
  const fc = JSON.parse(geojsonText) as { features?: Array<{ properties?: Record<string, unknown> }> };
  const out = new Map<string, SuspectEvidence>();
  for (const f of fc.features ?? []) {
    const p = f.properties ?? {};
    const e = {
      sample_id: String(p['sample_id']),
      given_label: String(p['given_label']),
      likely_label: String(p['likely_label']),
      p_given: Number(p['p_given']),
      p_likely: Number(p['p_likely']),
      rmse_given: Number(p['rmse_given']),
      rmse_likely: Number(p['rmse_likely']),
      peaks_sample: Number(p['peaks_sample']),
      peaks_given: Number(p['peaks_given']),
      peaks_likely: Number(p['peaks_likely']),
    };
    out.set(e.sample_id, e);
  }
  return out;
}

/**
 * Fills the decisions template: rows that already carry a decision are left as they are (a human
 * reviewer's word wins), blank ones get the rule's decision, the reviewer's name and the note.
 */
export function reviewDecisions(templateText: string, evidence: Map<string, SuspectEvidence>, reviewer: string): { text: string; counts: Record<string, number> } {
  const t = parseCsv(templateText);
  const iId = columnIndex(t, 'sample_id');
  const idx = Object.fromEntries(DECISION_COLUMNS.map((c) => [c, t.header.indexOf(c)]));
  const counts: Record<string, number> = { keep: 0, drop: 0, relabel: 0, 'already decided': 0 };
  const lines = [csvLine(DECISION_COLUMNS)];
  for (const r of t.rows) {
    const get = (c: string) => ((idx[c] as number) >= 0 ? (r[idx[c] as number] ?? '').trim() : '');
    const id = (r[iId] ?? '').trim();
    if (get('decision') !== '') {
      counts['already decided'] = (counts['already decided'] ?? 0) + 1;
      lines.push(csvLine(DECISION_COLUMNS.map((c) => get(c))));
      continue;
    }
    const e = evidence.get(id);
    if (!e) throw new Error(`review: no evidence for sample ${id} in suspect-samples.geojson (re-run granary labels audit)`);
    const d = reviewSuspect(e);
    counts[d.decision] = (counts[d.decision] ?? 0) + 1;
    lines.push(csvLine([id, get('given_label') || e.given_label, get('likely_label') || e.likely_label, d.decision, d.newLabel, reviewer, d.note]));
  }
  return { text: lines.join('\n') + '\n', counts };
}

export function reviewFiles(o: { template: string; evidence: string; out: string; reviewer: string }): Record<string, number> {
  const { text, counts } = reviewDecisions(readFileSync(o.template, 'utf8'), readEvidence(readFileSync(o.evidence, 'utf8')), o.reviewer);
  writeFileAtomic(o.out, text);
  return counts;
}
