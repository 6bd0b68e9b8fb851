import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/encoders/node`: encoders saved to and loaded from directories.
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
