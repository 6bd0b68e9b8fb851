import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/train/node`: directory checkpoints, the JSONL metrics log, the terminal progress bar.
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
