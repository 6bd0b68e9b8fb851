/**
 * Layering rules (docs/architecture.md, "Dependency direction"):
 *   core <- nn <- {augment, encoders, heads, losses, negatives} <- strategies <- train <- eval
 *   <- experiment <- sweep <- cli
 *   data and backend depend on core only. nn is the module layer (Module, parameter paths,
 *   BatchNorm, l2Normalize, momentum update) that the middle packages share instead of
 *   importing each other.
 * The five middle packages never import each other. Tests (*.test.ts) may also import
 * @contrastive/backend to choose an engine; everything else follows the table below.
 * `npm run check:layers` fails on a forbidden import or on any import cycle.
 */
const allowed = {
  core: [],
  backend: ['core'],
  data: ['core'],
  nn: ['core'],
  augment: ['core', 'nn'],
  encoders: ['core', 'nn'],
  heads: ['core', 'nn'],
  losses: ['core', 'nn'],
  negatives: ['core', 'nn'],
  strategies: ['core', 'nn', 'augment', 'encoders', 'heads', 'losses', 'negatives'],
  train: ['core', 'nn', 'augment', 'encoders', 'heads', 'losses', 'negatives', 'strategies'],
  eval: ['core', 'nn', 'augment', 'encoders', 'heads', 'losses', 'negatives', 'strategies', 'train'],
  experiment: ['core', 'nn', 'backend', 'data', 'augment', 'encoders', 'heads', 'losses', 'negatives', 'strategies', 'train', 'eval'],
  sweep: ['core', 'nn', 'backend', 'data', 'augment', 'encoders', 'heads', 'losses', 'negatives', 'strategies', 'train', 'eval', 'experiment'],
  cli: ['core', 'nn', 'backend', 'data', 'augment', 'encoders', 'heads', 'losses', 'negatives', 'strategies', 'train', 'eval', 'experiment', 'sweep'],
};
const packages = Object.keys(allowed);
// Node.js built-ins (with or without the node: prefix) and the npm packages that only run on Node.js.
const NODE_ONLY = `^(node:|(${require('node:module').builtinModules.join('|')})$)|(^|/)node_modules/(pngjs|cli-progress|tar|bullmq|ioredis|jpeg-js|@tensorflow/tfjs-node|@tensorflow/tfjs-node-gpu|node-api-headers)/|^packages/[^/]+/src/node/`;

const layerRules = packages.map((pkg) => {
  const forbidden = packages.filter((other) => other !== pkg && !allowed[pkg].includes(other));
  return {
    name: `layers-${pkg}`,
    comment: `@contrastive/${pkg} may depend on: ${allowed[pkg].join(', ') || 'nothing'}`,
    severity: 'error',
    from: { path: `^packages/${pkg}/src/`, pathNot: '\\.test\\.ts$' },
    to: { path: `^packages/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'neutral-entries-no-node',
      comment:
        "A package's main entry (src/index.ts) must bundle for browsers and web workers: nothing it reaches may import a Node.js built-in or a Node-only package. Node-only code lives behind the package's ./node subpath (src/node/index.ts) or a lazy import whose specifier sits in a variable.",
      severity: 'error',
      from: { path: '^packages/[^/]+/src/index\\.ts$' },
      to: { reachable: true, path: NODE_ONLY },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles (within or across packages) are not allowed.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-deep-package-imports',
      comment: 'Import other packages through their public index (@contrastive/x), never a path into their src.',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/', pathNot: '^packages/$1/', dependencyTypes: ['local'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['contrastive-source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
