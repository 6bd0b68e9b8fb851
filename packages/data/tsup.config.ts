import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/data/node`: the Node.js-only part (files, streaming image folders, tabular files, PNG writing).
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
