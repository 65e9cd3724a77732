/**
 * import() of a module named at run time: a file URL (geotiff.js's decoder modules, a test's extra
 * worker tasks) or an external package (onnxruntime-node). The bundles that scripts/load-bundle.mjs
 * runs from V8's code cache cannot call import() themselves on Node 20: code read back from the
 * cache has lost its loader ("A dynamic import callback was not specified"). That loader sets
 * `globalThis.__granaryImport`, an import() made in an ES module of its own, and it is used when
 * set; from source (tsx, tests) the module's own import() is.
 */
export function importModule<T>(specifier: string): Promise<T> {
  const viaLoader = (globalThis as { __granaryImport?: (s: string) => Promise<unknown> }).__granaryImport;
  return (viaLoader ? viaLoader(specifier) : import(specifier)) as Promise<T>;
}
