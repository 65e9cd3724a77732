/**
 * The URL of another module of the service, given as its TypeScript path: the .ts itself when this
 * code runs from source (tsx, tests), the compiled .js when it runs from dist/ (scripts/build-server.mjs).
 */
export function siblingModule(relativeTs: string, base: string): URL {
  return new URL(base.endsWith('.ts') ? relativeTs : relativeTs.replace(/\.ts$/, '.js'), base);
}
