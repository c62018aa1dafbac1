/**
 * The layering of DESIGN.md, checked in CI: a file imports from its own layer and those below it.
 * Order, lowest first: core, backend, engine, ops, backends, nn, optim/data, io, train, models, cli/dashboard.
 */
const layers = ["core", "backend", "engine", "ops", "backends", "nn", "optim|data", "io", "train", "models", "cli|dashboard"];

const rules = layers.map((layer, i) => {
  const above = layers.slice(i + 1);
  if (above.length === 0) return null;
  return {
    name: `${layer.replace("|", "-")}-imports-downward-only`,
    comment: `src/${layer} may not import from layers above it (${above.join(", ")})`,
    severity: "error",
    from: { path: `^src/(${layer})/` },
    to: { path: `^src/(${above.join("|")})/` },
  };
}).filter(Boolean);

module.exports = {
  forbidden: [
    ...rules,
    {
      name: "only-index-imports-backends",
      comment: "DESIGN.md: src/index.ts is the only file outside backends/ that imports a backend",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(index\\.ts|backends/)" },
      to: { path: "^src/backends/" },
    },
    {
      name: "engine-never-imports-ops",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { path: "^src/ops/" },
    },
    {
      name: "no-circular-across-layers",
      comment: "cycles are allowed inside one folder (ops call each other), never across folders",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: { circular: true, path: "^src/", pathNot: "^src/$1/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
