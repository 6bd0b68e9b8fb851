import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/core/node`: the Node.js-only helpers, kept out of the browser-safe main entry.
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
