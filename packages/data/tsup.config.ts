import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/data/node`: the Node.js-only readers, kept out of the main entry.
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
