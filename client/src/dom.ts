/**
 * Building DOM without innerHTML: text always goes in as text nodes, so server data can never
 * become markup.
 */
type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;
type Attrs = Record<string, AttrValue | ((ev: Event) => void)>;

function apply(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
}

/** A colour from the server, accepted only as #rgb/#rrggbb(aa) so it cannot carry CSS. */
export function safeColor(c: string | undefined, fallback = '#888888'): string {
  return c && /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(c) ? c : fallback;
}

let uid = 0;
export const nextId = (prefix: string): string => `${prefix}-${++uid}`;

/**
 * `el.replaceChildren(...children)` without losing keyboard focus: when focus was inside `el`, the
 * equivalent element of the new content (same `data-focus-key`, else the same tag at the same index
 * among `el`'s elements of that tag) takes it back. Re-rendering a panel when its data arrive would
 * otherwise drop focus to <body>.
 */
export function replaceKeepingFocus(el: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active && active !== el && el.contains(active) ? focusKey(el, active) : null;
  el.replaceChildren();
  append(el, children);
  if (!key || !(active instanceof HTMLElement || active instanceof SVGElement)) return;
  // a reused child (a sub-panel appended again) keeps its own element
  const next = el.contains(active) ? active : key.attr ? el.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key.attr)}"]`) : (el.querySelectorAll<HTMLElement>(key.tag)[key.index] ?? null);
  if (next && next !== document.activeElement) (next as HTMLElement).focus({ preventScroll: true });
}

function focusKey(root: Element, active: Element): { attr: string | null; tag: string; index: number } {
  const tag = active.tagName.toLowerCase();
  return { attr: active.getAttribute('data-focus-key'), tag, index: [...root.querySelectorAll(tag)].indexOf(active) };
}
