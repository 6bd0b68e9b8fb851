/**
 * sha256 as lowercase hex, the same in Node.js, browsers and workers (@noble/hashes: synchronous,
 * audited, no platform crypto needed), for checkpoint files and config fingerprints.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The sha256 of `data` (bytes, or a string taken as UTF-8), as 64 lowercase hex digits. */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(typeof data === 'string' ? utf8ToBytes(data) : data));
}
