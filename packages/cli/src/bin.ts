#!/usr/bin/env node
/**
 * The `contrastive` executable: runs {@link runCli} on the process arguments and exits with its
 * status (explicitly, because the wasm engine's worker threads would keep the process alive).
 * Long commands run in a supervised worker process so that Ctrl-C and SIGTERM always end with a
 * checkpoint, whatever wrapper (npm, npx, tsx) started the executable (see `supervise.ts`).
 */
import { runCli } from './program.js';
import { shouldSupervise, superviseWorker, watchSupervisor } from './supervise.js';

const argv = process.argv.slice(2);
let status: number;
if (shouldSupervise(argv)) {
  status = await superviseWorker(process.argv[1]!, argv);
} else {
  watchSupervisor();
  status = await runCli(argv);
}
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
