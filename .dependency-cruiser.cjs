/**
 * Dependency rules, checked by `npm run depcruise`, which `npm test` runs after the type check:
 * no runtime import cycles, route modules imported only by routes and the app, and the service never
 * importing the trainer (models/train).
 *
 * Type-only imports are erased by the compiler and cannot form a runtime cycle; the one type-level loop
 * left is the worker task table (server/workers/tasks.ts names each task's input/output types, and the
 * handler modules type themselves against that table), so cycles are checked on runtime edges only.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules must form a tree of layers: no runtime import cycles (type-only edges are erased)',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'routes-only-from-routes-and-app',
      severity: 'error',
      comment: 'routes translate HTTP; services, plugins, the CLI and workers must not import them',
      from: { path: '^server/', pathNot: ['^server/routes/', '^server/app\\.ts$'] },
      to: { path: '^server/routes/' },
    },
    {
      name: 'server-not-to-trainer',
      severity: 'error',
      comment: 'the service imports the model contract (models/contract), never the trainer',
      from: { path: '^server/' },
      to: { path: '^models/train/' },
    },
    {
      name: 'contract-is-a-leaf',
      severity: 'error',
      comment: 'server/contract is read by the client build: it may import only TypeBox and the model contract',
      from: { path: '^server/contract/' },
      to: { pathNot: ['^server/contract/', '^models/contract/', 'node_modules/typebox'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
