/**
 * Downloading one file over HTTP(S) with Node's `fetch`: streamed to disk, hashed (sha256 and
 * md5) on the way, checked against the expected digests and the announced length, with a
 * progress callback and a terminal progress bar (`cli-progress`) when stderr is a TTY.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { ArgumentError, assertOptionsObject, describeValue } from '@contrastive/core';
import { shouldShowProgress } from '@contrastive/core/node';
import { ChecksumError, DownloadError } from '../errors.js';

/** Progress of a download, reported after each chunk. */
export interface DownloadProgress {
  readonly receivedBytes: number;
  /** From the `Content-Length` header; `undefined` when the server does not say. */
  readonly totalBytes: number | undefined;
}

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  /** `http:` or `https:` URL. */
  readonly url: string;
  /** Where to write; must not exist (the file is created exclusively). Removed on failure. */
  readonly dest: string;
  /** Expected sha256 (hex); checked when given. */
  readonly sha256?: string;
  /** Expected md5 (hex); checked when given. */
  readonly md5?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Draw a progress bar on stderr; default: when stderr is a TTY. */
  readonly progressBar?: boolean;
  readonly signal?: AbortSignal;
}

/** What {@link downloadFile} received. */
export interface DownloadResult {
  readonly bytes: number;
  readonly sha256: string;
  readonly md5: string;
}

/** Checks an optional hex digest argument; returns it lower-cased. */
export function checkDigest(where: string, name: string, value: unknown, hexChars: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${hexChars}}$`).test(value)) {
    throw new ArgumentError(`${where}: argument '${name}' must be ${hexChars} hexadecimal characters, received ${describeValue(value)}`, {
      argument: name, expected: `${hexChars} hex characters`, received: value,
    });
  }
  return value.toLowerCase();
}

/** Checks a URL argument: http(s) only. */
export function checkUrl(where: string, name: string, value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ArgumentError(`${where}: argument '${name}' must be an http(s) URL, received ${describeValue(value)}`, { argument: name, expected: 'an http: or https: URL', received: value });
  }
  return url;
}

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);

/**
 * Downloads `url` to `dest`, verifying the digests that are given. On any failure (HTTP
 * error, connection lost, short body, checksum mismatch) `dest` is removed and a typed error
 * is thrown: {@link DownloadError} or {@link ChecksumError}.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  const where = 'downloadFile';
  assertOptionsObject(where, 'options', options);
  const url = checkUrl(where, 'options.url', options?.url).href;
  if (typeof options.dest !== 'string' || options.dest === '') {
    throw new ArgumentError(`${where}: argument 'options.dest' must be a file path, received ${describeValue(options.dest)}`, { argument: 'options.dest', received: options.dest });
  }
  const sha256 = checkDigest(where, 'options.sha256', options.sha256, 64);
  const md5 = checkDigest(where, 'options.md5', options.md5, 32);
  const showBar = shouldShowProgress(options.progressBar ?? 'auto', process.stderr);

  let received = 0;
  let bar: cliProgress.SingleBar | undefined;
  const handle = await open(options.dest, 'wx');
  let ok = false;
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers: { 'accept-encoding': 'identity' }, redirect: 'follow', ...(options.signal === undefined ? {} : { signal: options.signal }) });
    } catch (cause) {
      throw new DownloadError(url, `request failed (${(cause as Error).message}${describeCause(cause)})`, undefined, undefined, { cause });
    }
    if (!response.ok || response.body === null) {
      throw new DownloadError(url, `HTTP ${response.status} ${response.statusText}`.trim(), response.status);
    }
    const lengthHeader = response.headers.get('content-length');
    const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (showBar) {
      bar = new cliProgress.SingleBar(
        { format: `download [{bar}] {percentage}% {done}/{size} MiB {eta_formatted}`, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total ?? 0, 0, { done: '0.0', size: total === undefined ? '?' : mib(total) });
    }
    const hashSha = createHash('sha256');
    const hashMd5 = createHash('md5');
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hashSha.update(chunk);
        hashMd5.update(chunk);
        await handle.write(chunk);
        received += chunk.length;
        options.onProgress?.({ receivedBytes: received, totalBytes: total });
        bar?.update(total === undefined ? 0 : received, { done: mib(received) });
      }
    } catch (cause) {
      throw new DownloadError(url, `connection lost after ${received} bytes${total === undefined ? '' : ` of ${total}`} (${(cause as Error).message}${describeCause(cause)})`, response.status, received, { cause });
    }
    if (total !== undefined && received !== total) {
      throw new DownloadError(url, `received ${received} bytes, the server announced ${total}`, response.status, received);
    }
    const result = { bytes: received, sha256: hashSha.digest('hex'), md5: hashMd5.digest('hex') };
    if (sha256 !== undefined && result.sha256 !== sha256) throw new ChecksumError(url, 'sha256', sha256, result.sha256);
    if (md5 !== undefined && result.md5 !== md5) throw new ChecksumError(url, 'md5', md5, result.md5);
    ok = true;
    return result;
  } finally {
    bar?.stop();
    await handle.close();
    if (!ok) await rm(options.dest, { force: true });
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.message === undefined ? '' : `: ${cause.code ?? ''} ${cause.message}`.replace(/\s+/g, ' ');
}
