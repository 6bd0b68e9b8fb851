/**
 * Reading a run's metrics log (JSON Lines written by `@contrastive/train`'s MetricsLog plus the
 * command line's kNN monitor records). A resumed run appends to the same file, so a step can
 * appear twice: the last record per step wins, as the trainer's documentation prescribes.
 */
import { DataFormatError } from '@contrastive/core';

/** A per-step record (see `StepInfo` in @contrastive/train). */
export interface StepRecord {
  readonly type: 'step';
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly gradNorm: number;
  readonly imagesPerSecond: number;
  readonly seconds: number;
  readonly batchSize: number;
  readonly time: number;
}

/** A kNN monitor record written during training. */
export interface KnnRecord {
  readonly type: 'knn';
  readonly step: number;
  readonly epoch: number;
  readonly accuracy: number;
  readonly bankSize: number;
  readonly testSize: number;
  readonly k: number;
  readonly temperature: number;
  /** Collapse monitors of the test features: std of the L2-normalised embeddings per dimension (mean), and RankMe (NaN in logs written before they existed). */
  readonly embeddingStd: number;
  readonly effectiveRank: number;
  readonly seconds: number;
  readonly time: number;
}

/** A per-epoch record. */
export interface EpochRecord {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly steps: number;
  readonly meanLoss: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

/** The parsed log. */
export interface RunMetrics {
  /** Sorted by step, one per step. */
  readonly steps: readonly StepRecord[];
  /** Sorted by step, one per step. */
  readonly knn: readonly KnnRecord[];
  /** One per epoch (the last record of each). */
  readonly epochs: readonly EpochRecord[];
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * Parses the text of a metrics log. Blank lines are skipped; a malformed line throws a
 * {@link DataFormatError} with the file and the byte offset of the line, except a truncated
 * last line (a crash while writing), which is ignored.
 */
export function parseMetrics(text: string, file = 'metrics.jsonl'): RunMetrics {
  const steps = new Map<number, StepRecord>();
  const knn = new Map<number, KnnRecord>();
  const epochs = new Map<number, EpochRecord>();
  const lines = text.split('\n');
  let offset = 0;
  lines.forEach((line, i) => {
    const lineOffset = offset;
    offset += Buffer.byteLength(line, 'utf8') + 1;
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      const isLast = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      if (isLast && !text.endsWith('\n')) return; // a line cut short by a crash
      throw new DataFormatError(`${file}: line ${i + 1} is not JSON`, file, lineOffset);
    }
    if (typeof record !== 'object' || record === null) throw new DataFormatError(`${file}: line ${i + 1} is not a JSON object`, file, lineOffset);
    const step = num(record['step']);
    if (record['type'] === 'step' && Number.isFinite(step)) {
      steps.set(step, {
        type: 'step',
        step,
        epoch: num(record['epoch']),
        loss: num(record['loss']),
        learningRate: num(record['learningRate']),
        gradNorm: num(record['gradNorm']),
        imagesPerSecond: num(record['imagesPerSecond']),
        seconds: num(record['seconds']),
        batchSize: num(record['batchSize']),
        time: num(record['time']),
      });
    } else if (record['type'] === 'knn' && Number.isFinite(step)) {
      knn.set(step, {
        type: 'knn',
        step,
        epoch: num(record['epoch']),
        accuracy: num(record['accuracy']),
        bankSize: num(record['bankSize']),
        testSize: num(record['testSize']),
        k: num(record['k']),
        temperature: num(record['temperature']),
        embeddingStd: num(record['embeddingStd']),
        effectiveRank: num(record['effectiveRank']),
        seconds: num(record['seconds']),
        time: num(record['time']),
      });
    } else if (record['type'] === 'epoch') {
      const epoch = num(record['epoch']);
      epochs.set(epoch, {
        type: 'epoch',
        epoch,
        steps: num(record['steps']),
        meanLoss: num(record['meanLoss']),
        seconds: num(record['seconds']),
        imagesPerSecond: num(record['imagesPerSecond']),
      });
    }
  });
  const byKey = <T>(m: Map<number, T>): T[] => [...m.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  return { steps: byKey(steps), knn: byKey(knn), epochs: byKey(epochs) };
}
