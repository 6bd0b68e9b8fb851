import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/experiment/node`: file I/O (datasets on disk, run directories, reports), kept
// out of the browser-safe main entry (configuration, parts, evaluation).
export default packageBuildConfig({ entry: { node: 'src/node/index.ts' } });
