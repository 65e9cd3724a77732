/** Errors in words the user can act on, and the small boxes that show them. */
import { ApiError } from './api';
import { h } from './dom';
import { t, type TKey } from './i18n';

/** Not a failure of the server but something it does not have yet (e.g. no crop model installed). */
export class Absent extends Error {
  override readonly name = 'Absent';
  constructor(readonly key: TKey) {
    super(key);
  }
}

export function describeError(e: unknown, what: TKey): string {
  if (e instanceof Absent) return t(e.key);
  const w = t(what);
  if (e instanceof ApiError) {
    switch (e.kind) {
      case 'unreachable':
        return t('unreachable');
      case 'missing':
        return t('missingRoute', { what: w, status: e.status });
      case 'unavailable':
        return cap(t('unavailable', { what: w, status: e.status }));
      case 'refused':
        return t('refused', { what: w, detail: e.message });
      case 'invalid':
        return t('invalidData', { what: w });
      case 'server':
        return t('serverError', { what: w, status: e.status });
    }
  }
  return t('serverError', { what: w, status: (e as Error)?.message ?? String(e) });
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

type NoticeLevel = 'info' | 'warn' | 'error';

/** A message box; `retry` adds a button. Errors use role=alert, the rest role=status. */
export function notice(message: string, level: NoticeLevel = 'info', retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${level}`, role: level === 'error' ? 'alert' : 'status' },
    h('span', {}, message),
    retry ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => retry() }, t('retry')) : null,
  );
}
