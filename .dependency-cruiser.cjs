// The import rule of shared/DESIGN.md, enforced: a wrong-way import fails `npm test`
const PURE =
  "^src/(maths|indicators|strategies|backtest|research|forecasting|explain|sentiment|news|risk|data|execution/venue|audit|bots|approval)/";
module.exports = {
  forbidden: [
    {
      name: "domain-imports-nothing",
      comment: "domain is the bottom layer: it imports no other layer and no node built-in",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { pathNot: ["^src/domain/", "^src/errors\\.ts$"] },
    },
    {
      name: "maths-imports-nothing",
      comment: "src/maths holds one definition per formula (distributions, ...): it imports no other layer",
      severity: "error",
      from: { path: "^src/maths/" },
      to: { pathNot: ["^src/maths/", "^src/errors\\.ts$"] },
    },
    {
      name: "pure-modules-stay-pure",
      comment:
        "pure modules import only domain, errors and each other: no adapters, ports impls, app, shells, node:*, ccxt",
      severity: "error",
      from: { path: PURE, pathNot: "\\.test\\.ts$" },
      to: {
        pathNot: [
          PURE,
          "^src/domain/",
          "^src/errors\\.ts$",
          "^src/ports/",
          "node_modules/zod",
          "node_modules/@tensorflow/tfjs(-core|-layers)?/",
        ],
      },
    },
    {
      name: "ports-are-interfaces",
      comment: "ports hold only interfaces and import only domain",
      severity: "error",
      from: { path: "^src/ports/" },
      to: { pathNot: ["^src/ports/", "^src/domain/", "^src/errors\\.ts$"] },
    },
    {
      name: "app-never-imports-adapters-or-shells",
      severity: "error",
      from: { path: "^src/app/" },
      to: { path: ["^src/adapters/", "^src/shells/", "^src/composition-root\\.ts$"] },
    },
    {
      name: "adapters-not-imported-by-inner-layers",
      comment: "only composition-root and tests pick adapters",
      severity: "error",
      from: {
        pathNot: ["^src/adapters/", "^src/composition-root\\.ts$", "\\.test\\.ts$", "^test/", "^bench/"],
      },
      to: { path: "^src/adapters/" },
    },
    {
      name: "shells-not-imported-inward",
      severity: "error",
      from: { pathNot: ["^src/shells/", "\\.test\\.ts$", "^test/", "^bench/"] },
      to: { path: "^src/shells/" },
    },
    {
      name: "web-imports-only-domain",
      comment:
        "the dashboard is a separate browser build that talks to shells/http over HTTP; of src it may import " +
        "only domain modules (pure, importing nothing), so one rule (which bar a fill falls in) serves both",
      severity: "error",
      from: { path: "^web/" },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "no-circular",
      comment:
        "no runtime module cycles (load order); two files of one folder may name each other's types, " +
        "but folders may not (no-folder-cycles counts type-only imports)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-folder-cycles",
      comment:
        "folders form a DAG (a folder counts every module beneath it, type-only imports included): " +
        "a layer never reaches back into a layer that depends on it, even through a sibling",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    exclude: { path: "\\.test\\.ts$" },
  },
};
