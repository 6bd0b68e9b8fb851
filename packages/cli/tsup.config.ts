import { packageBuildConfig } from '../../tsup.config.base.ts';

// `bin`: the `contrastive` executable; `@contrastive/cli/node`: the command line as a library.
export default packageBuildConfig({ entry: { bin: 'src/bin.ts', node: 'src/node/index.ts' } });
