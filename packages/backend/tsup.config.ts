import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/backend/node`: the Node.js initialiser, wasm threads and the oneDNN addon.
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
