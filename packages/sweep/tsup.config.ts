import { packageBuildConfig } from '../../tsup.config.base.ts';

// `@contrastive/sweep/node`: running cells (local worker processes, Redis/BullMQ queue) and the
// sweep directory on disk, kept out of the browser-safe main entry (sweep files, cell expansion,
// result tables). `cell-worker` is the entry of the local executor's worker processes (spawned
// by path, never imported).
export default packageBuildConfig({ entry: { node: 'src/node/index.ts', 'cell-worker': 'src/node/cell-worker.ts' } });
