/** Alerts as an Atom 1.0 feed (RFC 4287), with the `feed` library. */
import { Feed } from 'feed';
import type { Alert } from './rules.js';
import type { MessageLang } from '../contract/alert-messages.js';

const FEED_TEXT: Record<MessageLang, { title: string; description: string; severity: Record<Alert['severity'], string> }> = {
  en: { title: 'Granary alerts', description: 'Dry spells at the stations serving a municipality, crop-condition drops where a normal exists, clusters of pest and disease reports', severity: { watch: 'watch', poor: 'poor' } },
  pt: { title: 'Alertas do Granary', description: 'Veranicos nas estações que atendem cada município, quedas da condição das lavouras onde há uma normal, agrupamentos de relatos de pragas e doenças', severity: { watch: 'atenção', poor: 'grave' } },
};

/** Alerts whose title and detail are already in `lang`. */
export function alertsAtom(alerts: ReadonlyArray<Alert & { title: string; detail: string }>, opts: { origin: string; selfPath: string; asOf: string; lang: MessageLang }): string {
  const words = FEED_TEXT[opts.lang];
  const feed = new Feed({
    title: words.title,
    description: words.description,
    language: opts.lang === 'pt' ? 'pt-BR' : 'en',
    id: `${opts.origin}/api/alerts`,
    link: `${opts.origin}/api/alerts`,
    feedLinks: { atom: `${opts.origin}${opts.selfPath}` },
    updated: new Date(`${alerts[0]?.updated ?? opts.asOf}T00:00:00Z`),
    copyright: 'Weather: Fonte INMET; imagery: NASA MOD13Q1; reports: Granary users',
    generator: 'Granary',
  });
  for (const a of alerts) {
    feed.addItem({
      title: `[${words.severity[a.severity]}] ${a.title}`,
      id: `urn:granary:alert:${a.id}`,
      link: `${opts.origin}/api/alerts/${a.id}`,
      description: a.detail,
      content: a.detail,
      date: new Date(`${a.updated}T00:00:00Z`),
      published: new Date(`${a.start}T00:00:00Z`),
      category: [{ name: a.kind, term: a.kind }, ...(a.regionId ? [{ name: a.regionName ?? a.regionId, term: `region:${a.regionId}` }] : [])],
    });
  }
  return feed.atom1();
}
