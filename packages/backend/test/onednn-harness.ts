/**
 * Starts the wasm and cpu engines and loads the oneDNN addon for the oneDNN kernel tests.
 *
 * Where the addon cannot load (no oneDNN or no C++ compiler on this machine) the tests of the
 * fallback run instead; CI installs oneDNN and sets `CONTRASTIVE_REQUIRE_ONEDNN=1`, so there a
 * missing addon fails the suite rather than quietly testing the other path.
 */
import type { OnednnAddon } from '../src/node/onednn-addon.js';
import { loadOnednnAddon } from '../src/node/onednn-addon.js';
import { startWasmAndCpu } from './kernel-harness.js';

/** Whether the environment demands the oneDNN path (CI). */
export const ONEDNN_REQUIRED = process.env['CONTRASTIVE_REQUIRE_ONEDNN'] === '1';

/** The addon, or the reason it is missing (an error when {@link ONEDNN_REQUIRED}). */
export async function startOnednn(): Promise<{ addon: OnednnAddon | null; reason: string }> {
  await startWasmAndCpu();
  const r = loadOnednnAddon();
  if (r.ok) return { addon: r.addon, reason: '' };
  if (ONEDNN_REQUIRED) throw new Error(`CONTRASTIVE_REQUIRE_ONEDNN=1 but the oneDNN addon did not load: ${r.reason}`);
  return { addon: null, reason: r.reason };
}
