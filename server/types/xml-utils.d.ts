// xml-utils 1.10 ships index.d.ts, but its package.json "exports" has no "types" condition, so
// NodeNext resolution cannot find it: the two functions cog.ts uses, as the package declares them.
declare module 'xml-utils' {
  export type Tag = { inner: null | string; outer: string };
  export function findTagsByName(xml: string, tagName: string, options?: { debug?: boolean; nested?: boolean; startIndex?: boolean }): Tag[];
  export function getAttribute(tag: string | Tag, attributeName: string, options?: { debug?: boolean }): string | undefined;
}
