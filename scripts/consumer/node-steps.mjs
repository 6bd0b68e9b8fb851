// (a) In Node.js (ESM): three SimCLR steps on the cpu engine; prints one JSON line.
import { trainingKernelsRegistered } from '@contrastive/backend';
import { initBackend } from '@contrastive/backend/node';
import { simclrSteps } from './simclr-steps.mjs';

const report = await initBackend({ prefer: 'cpu' });
const result = await simclrSteps();
// The main entry and the ./node entry must share one module instance of what both use: kernels
// that the Node initialiser registers are seen by the main entry's registry.
const again = await initBackend({ prefer: 'cpu', trainingKernels: true });
const sharedRegistry = again.kernelsAdded.length > 0 && trainingKernelsRegistered('cpu').length === again.kernelsAdded.length;
console.log(JSON.stringify({ engine: report.engine, sharedRegistry, ...result }));
