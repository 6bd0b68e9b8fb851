#!/usr/bin/env node
/**
 * The `contrastive` executable: runs {@link runCli} on the process arguments and exits with its
 * status (explicitly, because the wasm engine's worker threads would keep the process alive).
 */
import { runCli } from './program.js';

const status = await runCli(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
