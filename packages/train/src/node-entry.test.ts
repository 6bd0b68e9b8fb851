import { describe, expect, it } from 'vitest';
import * as trainNode from './node/index.js';
import { loadTrainNode, type TrainNode } from './node-entry.js';

describe('loadTrainNode', () => {
  it('the real @contrastive/train/node satisfies the structural TrainNode type', () => {
    const typed: TrainNode = trainNode; // a compile-time check: typecheck fails if they drift apart
    expect(typeof typed.fileCheckpointStore).toBe('function');
  });
  it('loads @contrastive/train/node through its package specifier under Node.js', async () => {
    const node = await loadTrainNode('test', 'path', 'a store');
    expect(node.fileCheckpointStore('/tmp/x').location).toBe('/tmp/x');
  });
});
