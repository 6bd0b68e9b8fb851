/**
 * The `contrastive` command line (commander): train | eval | embed | preview | report | main | sweep | worker.
 * User errors (a bad flag, configuration, checkpoint or data file) print one clear message with
 * the offending argument and value, never a stack trace, and exit with status 2; Ctrl-C exits
 * with 130 (SIGTERM: 143) after writing a checkpoint; other failures exit with 1 (the stack trace is printed
 * only with CONTRASTIVE_DEBUG=1).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ContrastiveError, describeValue } from '@contrastive/core';
import { evalCommand, type EvalCommandOptions } from './commands/eval.js';
import { embedCommand, type EmbedCommandOptions } from './commands/embed.js';
import { mainCommand, type MainCommandOptions } from './commands/main.js';
import { previewCommand, type PreviewCommandOptions } from './commands/preview.js';
import { reportCommand, type ReportCommandOptions } from './commands/report.js';
import { sweepCommand, type SweepCommandOptions } from './commands/sweep.js';
import { trainCommand } from './commands/train.js';
import { workerCommand, type WorkerCommandOptions } from './commands/worker.js';
import { ENGINE_CHOICES, type CliIO } from './context.js';
import { InterruptedError, handleInterrupts, interruptedStatus } from './interrupt.js';
import { clipLines } from './clip-line.js';
import type { ProgressSink } from './progress.js';

/** Exit statuses. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

const USER_ERROR_CODES = new Set(['INVALID_ARGUMENT', 'CONFIG', 'CHECKPOINT', 'DATA_FORMAT', 'MEMORY_LIMIT']);

function intParser(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, received '${value}'`);
    }
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, received '${value}'`);
  return n;
}

/** The text printed for an error, and the exit status. */
export function describeError(e: unknown): { lines: string[]; status: number } {
  if (e instanceof InterruptedError) return { lines: [`interrupted: ${e.message}`], status: EXIT.interrupted };
  if (e instanceof ContrastiveError) {
    const lines = [`error: ${e.message}`];
    if (e.argument !== undefined) lines.push(`  argument: ${e.argument}`);
    if (e.received !== undefined) lines.push(`  received: ${describeValue(e.received)}`);
    if (e.expected !== undefined) lines.push(`  expected: ${e.expected}`);
    const file = (e as { file?: unknown }).file;
    const offset = (e as { byteOffset?: unknown }).byteOffset;
    if (typeof file === 'string' && !e.message.includes(file)) lines.push(`  file: ${file}`);
    if (typeof offset === 'number') lines.push(`  byte offset: ${offset}`);
    if (process.env['CONTRASTIVE_DEBUG'] === '1' && e.stack !== undefined) lines.push(e.stack);
    return { lines, status: USER_ERROR_CODES.has(e.code) ? EXIT.usage : EXIT.failure };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const sys = (err as NodeJS.ErrnoException).code;
  if (typeof sys === 'string' && /^E[A-Z]+$/.test(sys)) {
    // A file-system error (ENOENT, EACCES, ENOSPC...): the message names the path.
    return { lines: [`error: ${err.message}`], status: EXIT.failure };
  }
  return { lines: [`error: ${err.message}`, ...(process.env['CONTRASTIVE_DEBUG'] === '1' ? [err.stack ?? ''] : ['(set CONTRASTIVE_DEBUG=1 for the stack trace)'])], status: EXIT.failure };
}

/** Streams and settings of {@link runCli}. */
export interface RunCliOptions {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: ProgressSink['stream'];
  /** Progress bars: default 'auto' (when stderr is a terminal). */
  readonly progress?: ProgressSink['show'];
}

/** Runs a command's work and records its exit status. */
type Runner = (work: () => Promise<number>) => () => Promise<void>;

const engine = (): Option => new Option('--engine <name>', 'compute engine').choices(ENGINE_CHOICES).default('auto');
const fallback = (): Option =>
  new Option('--fallback', 'with --resume: if the latest checkpoint is missing or corrupt, continue from the newest earlier complete one').implies({ resume: true });
const dataDir = (): Option => new Option('--data-dir <dir>', "the dataset's directory, overriding the configuration's data.dir (CIFAR-10 default: $CONTRASTIVE_DATA_DIR, ../shared/data, the download cache)");

/** `train`, `eval` and `embed`: train a run, evaluate it, write its representations. */
function addRunCommands(program: Command, io: CliIO, run: Runner): void {

  program
    .command('train')
    .description('train a strategy on the configured dataset (data.dataset: cifar10, fashionMnist, mnist, imageFolder) into a run directory (Ctrl-C: checkpoint and stop)')
    .requiredOption('-c, --config <file>', 'configuration file (.json, .yaml, .yml)')
    .option('-o, --out <dir>', 'run directory (default: the config\'s outDir, else runs/<name>)')
    .option('--resume', 'continue from the latest checkpoint of the run directory')
    .addOption(new Option('--overwrite', 'delete a previous run in the directory first').conflicts('resume'))
    .addOption(fallback())
    .option('--steps <n>', 'stop after n steps (overrides train.maxSteps)', intParser(1))
    .addOption(dataDir())
    .addOption(engine())
    .action((o: { config: string; out?: string; resume?: boolean; overwrite?: boolean; fallback?: boolean; steps?: number; dataDir?: string; engine: string }) =>
      run(() => trainCommand(o, io))(),
    );

  program
    .command('eval')
    .description("kNN and linear-probe accuracy of a run, checkpoint or saved encoder on its dataset's test split (skipped for unlabelled images)")
    .argument('<source>', 'run directory, checkpoint directory or saved encoder directory')
    .option('--bank-size <n>', 'training images in the kNN bank / linear-probe training set', intParser(1))
    .option('--test-size <n>', 'test images (the first n)', intParser(1))
    .option('--k <n>', 'kNN neighbours', intParser(1))
    .option('--temperature <t>', 'kNN vote temperature', positiveNumber)
    .option('--linear-epochs <n>', 'linear-probe epochs', intParser(1))
    .addOption(new Option('--representation <r>', "evaluate the encoder's h, or the projection z = g(h) (SimCLR Figure 8; needs a run)").choices(['encoder', 'projection']))
    .option('--random', 'also evaluate the same encoder with its initial random weights')
    .option('--checkpoint', "use the run's latest checkpoint even if a saved encoder exists")
    .option('--json', 'print the result as JSON')
    .option('--no-save', 'do not write eval.json and the embedding map into the run directory')
    .addOption(dataDir())
    .addOption(engine())
    .action((source: string, o: EvalCommandOptions) => run(() => evalCommand(source, o, io))());

  program
    .command('embed')
    .description("write the representations of a split of the run's dataset, and its labels, to a file (.npy, or the contrastive embeddings format)")
    .argument('<source>', 'run directory, checkpoint directory or saved encoder directory')
    .requiredOption('-o, --out <file>', 'output file: name.npy (+ name.labels.npy) or any other name for one embeddings file')
    .option('--split <split>', 'train or test', 'test')
    .option('--limit <n>', 'only the first n images of the split', intParser(1))
    .option('--batch-size <n>', 'images per forward pass', intParser(1, 4096))
    .option('--checkpoint', "use the run's latest checkpoint even if a saved encoder exists")
    .addOption(dataDir())
    .addOption(engine())
    .action((source: string, o: EmbedCommandOptions) => run(() => embedCommand(source, o, io))());
}

/** `preview`, `report` and `main`: show the augmentation, write the report, run the main job. */
function addViewCommands(program: Command, io: CliIO, run: Runner): void {

  program
    .command('preview')
    .description("write a PNG grid of augmented views of the configured dataset's test images")
    .option('-c, --config <file>', 'configuration whose augmentation is shown (default: SimCLR, CIFAR-10 settings)')
    .option('-o, --out <file>', 'PNG file', 'preview.png')
    .option('--images <n>', 'source images (rows)', intParser(1, 256))
    .option('--views <n>', 'views per image', intParser(1, 64))
    .option('--start <n>', 'index of the first test image', intParser(0))
    .option('--seed <n>', 'augmentation seed', intParser(0))
    .addOption(dataDir())
    .addOption(engine())
    .action((o: PreviewCommandOptions) => run(() => previewCommand(o, io))());

  program
    .command('report')
    .description('write the self-contained HTML report of a run (curves, evaluation, embedding map, preview)')
    .argument('<run>', 'run directory')
    .option('-o, --out <file>', 'HTML file (default: <run>/report.html)')
    .option('--no-map', 'do not compute a missing embedding map')
    .addOption(dataDir())
    .addOption(engine())
    .action((runDir: string, o: ReportCommandOptions) => run(() => reportCommand(runDir, o, io))());

  program
    .command('main')
    .description('the main job: SimCLR on CIFAR-10 (~10 min on 2 CPU cores), kNN + linear accuracy vs random weights, report')
    .option('-o, --out <dir>', 'run directory', 'runs/main')
    .option('-c, --config <file>', 'use this configuration instead of the built-in one')
    .option('--steps <n>', 'training steps (overrides train.maxSteps)', intParser(1))
    .option('--bank-size <n>', 'training images in the kNN bank / linear-probe training set', intParser(1, 50000))
    .option('--test-size <n>', 'test images (the first n)', intParser(1, 10000))
    .option('--resume', 'continue an interrupted main run instead of starting over')
    .addOption(fallback())
    .addOption(dataDir())
    .addOption(engine())
    .action((o: MainCommandOptions) => run(() => mainCommand(o, io))());
}

/** `sweep`: run a grid / variants / random search of configurations as cells, in local worker processes. */
function addSweepCommand(program: Command, io: CliIO, run: Runner): void {
  program
    .command('sweep')
    .description('run a sweep (grid, variants, random samples, seeds) of a base configuration: every cell a run in <out>/<name>/cells/<id>, in local worker processes; rerun to resume')
    .requiredOption('-c, --config <file>', 'base configuration file (.json, .yaml, .yml)')
    .requiredOption('-s, --sweep <file>', 'sweep file (.yaml, .yml, .json; see docs/sweeps.md)')
    .option('-o, --out <dir>', 'parent of the sweep directory <out>/<name>', 'runs/sweeps')
    .option('--workers <n>', 'local worker processes (default: from the cores, the free memory and a per-cell estimate)', intParser(1, 256))
    .option('--overwrite', 'delete a previous sweep of another specification in the directory first')
    .option('--queue <redis-url>', 'run the cells as jobs of a Redis/BullMQ queue, read by `contrastive worker --queue <redis-url>` processes on machines sharing the sweep directory (see docs/sweeps.md)')
    .option('--queue-name <name>', "with --queue: the BullMQ queue name (default contrastive-sweep)")
    .addOption(dataDir())
    .addOption(engine())
    .action((o: SweepCommandOptions) => run(() => sweepCommand(o, io))());
}

/** `worker`: runs sweep cells from a Redis/BullMQ queue (the distributed mode of `sweep`). */
function addWorkerCommand(program: Command, io: CliIO, run: Runner): void {
  program
    .command('worker')
    .description(
      'run sweep cells from a Redis/BullMQ queue (filled by `contrastive sweep --queue`) until stopped; the sweep directories must be on a filesystem shared with the enqueuing machine (Ctrl-C: the running cells checkpoint and go back to the queue)',
    )
    .requiredOption('--queue <url>', 'the Redis server, e.g. redis://queue-host:6379 (rediss:// for TLS)')
    .option('--concurrency <n>', 'cells run at the same time', intParser(1, 1024))
    .option(
      '--dir <path>',
      "where the sweep directories are on this machine when not at the enqueuing machine's path: the directory holding them, or FROM=TO (the enqueuing machine's path prefix and this machine's); repeatable",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--queue-name <name>', "BullMQ queue name, the same as the sweep's (default contrastive-sweep)")
    .option('--name <name>', "this worker's name in progress lines and claim files (default host:pid)")
    .option('--lock-duration <ms>', 'a job whose worker has not renewed its lock for this long is handed to another worker (default 30000)', intParser(100))
    .option('--stalled-interval <ms>', 'how often this worker looks for the jobs of dead workers (default 30000)', intParser(100))
    .option('--claim-stale <s>', "seconds without a heartbeat after which a cell's claim file is taken over (default 120)", intParser(1))
    .addOption(dataDir())
    .addOption(engine())
    .action((o: WorkerCommandOptions) => run(() => workerCommand(o, io))());
}

/**
 * Runs the command line on `argv` (without the node and script entries) and resolves to the exit
 * status; never throws for user errors.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['train', '--config', 'examples/simclr-cifar10/config.yaml']);
 * ```
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const writeErr = (line: string): void => void stderr.write(`${line}\n`);
  let status: number = EXIT.ok;
  const stop = handleInterrupts(writeErr);
  const io: CliIO = {
    out: (line) => void stdout.write(`${line}\n`),
    err: writeErr,
    progress: { stream: stderr, show: options.progress ?? 'auto' },
    stop,
  };
  const run: Runner = (work) => async (): Promise<void> => {
    status = await work();
  };

  const program = new Command()
    .name('contrastive')
    .description('Contrastive self-supervised learning on TensorFlow.js: train, evaluate, embed, preview, report and sweep')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void stdout.write(s), writeErr: (s) => void stderr.write(s) });
  addRunCommands(program, io, run);
  addViewCommands(program, io, run);
  addSweepCommand(program, io, run);
  addWorkerCommand(program, io, run);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit with 0; usage errors were already printed by commander.
      status = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      const { lines, status: s } = describeError(e);
      for (const line of clipLines(lines.flatMap((l) => (l.includes('\n    at ') ? [l] : l.split('\n'))))) writeErr(line);
      status = s;
    }
  } finally {
    stop.release();
  }
  // A command stopped by a signal exits with 128 + its number (SIGTERM: 143).
  if (status === EXIT.interrupted && stop.requested) status = interruptedStatus(stop.signal);
  return status;
}
