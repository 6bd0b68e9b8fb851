// (a) In Node.js (ESM): three SimCLR steps on the cpu engine; prints one JSON line.
import { initBackend } from '@contrastive/backend/node';
import { simclrSteps } from './simclr-steps.mjs';

const report = await initBackend({ prefer: 'cpu' });
const result = await simclrSteps();
console.log(JSON.stringify({ engine: report.engine, ...result }));
