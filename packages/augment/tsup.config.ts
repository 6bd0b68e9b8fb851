import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/augment/node`: the Node.js-only part (files, PNG writing).
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
