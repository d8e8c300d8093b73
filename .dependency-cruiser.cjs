/* global module */
// Import rules (design.md §2, The shape), checked by `npm run lint:deps` as part of `npm test`.
// Type-only imports count: a circle through `import type` still ties the files' designs together,
// and it becomes a runtime circle the day someone imports a value along the same path.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import circles in sim/ or src/, type-only imports included: one concept per file, dependencies point one way.",
      from: { path: "^(sim|src)/" },
      to: { circular: true },
    },
    {
      name: "src-is-production-code",
      severity: "error",
      comment: "src/ is what a user ships: it never imports the simulator, the properties, the real-run infrastructure, the CLI or tests.",
      from: { path: "^src/" },
      to: { path: "^(sim|properties|replay|cli|test)/" },
    },
    {
      name: "sim-stays-simulated",
      severity: "error",
      comment: "sim/ is the simulated world: it never imports the real-run infrastructure, the CLI or the properties built on top of it.",
      from: { path: "^sim/" },
      to: { path: "^(replay|cli|properties)/" },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment: "An import the cruiser cannot resolve would hide its edge from the rules above.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Keep `import type` edges: they count for the circle rule.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // Resolve packages through their "exports" maps, as Node does for our ESM code.
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
