import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { sendBytes, startServer, type TestServer } from '../../test/http-server.js';
import { sharedDataDir } from '../../../../test/shared-data.js';
import { CIFAR10_RECORD_BYTES, loadCifar10 } from './cifar10.js';
import { CIFAR10_OFFICIAL_MD5, ensureCifar10 } from './ensure-cifar10.js';
import { ChecksumError, DownloadError, UnsafeArchiveError } from '../errors.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** CIFAR-10 binary records with the given labels (pixels: a pattern of the record number). */
function records(labels: number[]): Buffer {
  const out = Buffer.alloc(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, k) => {
    out[k * CIFAR10_RECORD_BYTES] = label;
    out.fill(k * 17 + label, k * CIFAR10_RECORD_BYTES + 1, (k + 1) * CIFAR10_RECORD_BYTES);
  });
  return out;
}

const TRAIN_LABELS = [[6, 9], [9, 4], [1, 1], [2, 7], [8, 3]];
const TEST_LABELS = [3, 8, 8];

let tmp: string;
let server: TestServer;
const archives: Record<string, Buffer> = {};

/** Builds a .tar.gz with the `tar` package from the files under `dir`, entries as given. */
async function tarGz(cwd: string, entries: string[], preservePaths = false): Promise<Buffer> {
  const file = path.join(tmp, `archive-${Object.keys(archives).length}-${Math.random().toString(36).slice(2)}.tar.gz`);
  await tar.c({ gzip: true, file, cwd, portable: true, preservePaths }, entries);
  return readFile(file);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ensure-cifar10-test-'));
  // The official layout: cifar-10-batches-bin/{data_batch_1..5.bin,test_batch.bin,batches.meta.txt}
  const src = path.join(tmp, 'src');
  const batches = path.join(src, 'cifar-10-batches-bin');
  await mkdir(batches, { recursive: true });
  for (let b = 0; b < 5; b++) await writeFile(path.join(batches, `data_batch_${b + 1}.bin`), records(TRAIN_LABELS[b]!));
  await writeFile(path.join(batches, 'test_batch.bin'), records(TEST_LABELS));
  await writeFile(path.join(batches, 'batches.meta.txt'), 'airplane\nautomobile\n');
  archives['ok'] = await tarGz(src, ['cifar-10-batches-bin']);

  const corrupted = Buffer.from(archives['ok']);
  corrupted[Math.floor(corrupted.length / 2)]! ^= 0xff;
  archives['corrupted'] = corrupted;

  // An escape attempt: a normal data set plus an entry '../evil.txt' (tar keeps it with preservePaths).
  const inner = path.join(src, 'cifar-10-batches-bin');
  await writeFile(path.join(src, 'evil.txt'), 'escaped');
  archives['dotdot'] = await tarGz(inner, ['data_batch_1.bin', '../evil.txt'], true);
  archives['absolute'] = await tarGz(inner, ['data_batch_1.bin', path.join(src, 'evil.txt')], true);
  const linkDir = path.join(tmp, 'links');
  await mkdir(linkDir);
  await symlink(os.tmpdir(), path.join(linkDir, 'outside'));
  archives['symlink'] = await tarGz(linkDir, ['outside']);
  const notCifar = path.join(tmp, 'not-cifar');
  await mkdir(notCifar);
  await writeFile(path.join(notCifar, 'hello.txt'), 'hi');
  archives['not-cifar'] = await tarGz(notCifar, ['hello.txt']);
  archives['not-gzip'] = Buffer.from('this is not an archive at all');

  const routes = Object.fromEntries(Object.entries(archives).map(([name, body]) => [`/${name}.tar.gz`, sendBytes(body)]));
  server = await startServer({
    ...routes,
    // Announces the full length, sends half, then drops the connection.
    '/cut.tar.gz': (_req, res) => {
      const body = archives['ok']!;
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A fresh, empty data directory. */
const freshDir = (): Promise<string> => mkdtemp(path.join(tmp, 'data-'));
const url = (name: string): string => `${server.url}/${name}.tar.gz`;

describe('ensureCifar10 against a local HTTP server', () => {
  it('downloads, verifies, extracts atomically, and the reader reads the result', async () => {
    const dir = await freshDir();
    const progress: Array<[number, number | undefined]> = [];
    const got = await ensureCifar10({ dir, url: url('ok'), sha256: sha256(archives['ok']!), onProgress: (p) => progress.push([p.receivedBytes, p.totalBytes]), progressBar: false });
    expect(got.downloaded).toBe(true);
    expect(got.layout).toBe('batches');
    expect(got.dir).toBe(path.join(dir, 'cifar10', 'cifar-10-batches-bin'));
    expect(await readdir(dir)).toEqual(['cifar10']); // no temporary file or directory left
    const train = await loadCifar10({ dir, split: 'train' });
    expect(Array.from(train.labels)).toEqual(TRAIN_LABELS.flat());
    expect(Array.from((await loadCifar10({ dir, split: 'test' })).labels)).toEqual(TEST_LABELS);
    // progress: increasing, ending at the archive's size, with the announced total
    const size = archives['ok']!.length;
    expect(progress.at(-1)).toEqual([size, size]);
    progress.slice(1).forEach(([r], i) => expect(r).toBeGreaterThan(progress[i]![0]));

    // A second call finds the files and makes no request.
    const before = server.requests.length;
    const again = await ensureCifar10({ dir, url: url('ok'), sha256: sha256(archives['ok']!) });
    expect(again.downloaded).toBe(false);
    expect(server.requests.length).toBe(before);
  });

  it('verifies an md5 when given, and with no checksum option checks the official CIFAR-10 md5', async () => {
    const md5 = createHash('md5').update(archives['ok']!).digest('hex');
    // progressBar: true exercises the cli-progress path (it draws nothing when stderr is not a TTY)
    expect((await ensureCifar10({ dir: await freshDir(), url: url('ok'), md5, progressBar: true })).downloaded).toBe(true);
    const dir = await freshDir();
    const err = await ensureCifar10({ dir, url: url('ok'), progressBar: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as ChecksumError).algorithm).toBe('md5');
    expect((err as ChecksumError).expectedDigest).toBe(CIFAR10_OFFICIAL_MD5);
    expect(await readdir(dir)).toEqual([]);
  });

  it('corrupted archive: ChecksumError, nothing left behind', async () => {
    const dir = await freshDir();
    const err = await ensureCifar10({ dir, url: url('corrupted'), sha256: sha256(archives['ok']!), progressBar: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as ChecksumError).actualDigest).toBe(sha256(archives['corrupted']!));
    expect((err as Error).message).toContain('corrupted.tar.gz');
    expect(await readdir(dir)).toEqual([]);
  });

  it('an entry ../evil.txt, an absolute path, or a link outside: UnsafeArchiveError, nothing extracted', async () => {
    for (const [name, entry] of [
      ['dotdot', '../evil.txt'],
      ['absolute', path.join(tmp, 'src', 'evil.txt')],
      ['symlink', 'outside'],
    ] as const) {
      const parent = await freshDir();
      const dir = path.join(parent, 'data');
      const err = await ensureCifar10({ dir, url: url(name), sha256: sha256(archives[name]!), progressBar: false }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(UnsafeArchiveError);
      expect((err as UnsafeArchiveError).entry).toBe(entry);
      expect(await readdir(dir), name).toEqual([]);
      expect(await readdir(parent), name).toEqual(['data']); // ../evil.txt did not land beside it
      expect(existsSync(path.join(dir, 'evil.txt'))).toBe(false);
    }
  });

  it('HTTP 404, a connection dropped mid-body, a non-archive or an archive without CIFAR-10: typed errors, nothing left', async () => {
    const cases: Array<[name: string, served: string, check: (e: unknown) => void]> = [
      ['missing', 'ok', (e) => expect(e).toMatchObject({ status: 404, file: url('missing') })],
      ['cut', 'ok', (e) => {
        expect(e).toBeInstanceOf(DownloadError);
        expect((e as DownloadError).byteOffset).toBeLessThanOrEqual(Math.floor(archives['ok']!.length / 2));
      }],
      ['not-gzip', 'not-gzip', (e) => expect((e as Error).message).toMatch(/corrupt or truncated tar archive/)],
      ['not-cifar', 'not-cifar', (e) => expect((e as Error).message).toMatch(/does not contain the CIFAR-10/)],
    ];
    for (const [name, served, check] of cases) {
      const dir = await freshDir();
      const err = await ensureCifar10({ dir, url: url(name), sha256: sha256(archives[served]!), progressBar: false }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(DataFormatError);
      check(err);
      expect(await readdir(dir), name).toEqual([]);
    }
  });

  it('finds files in CONTRASTIVE_DATA_DIR without downloading; downloads into CONTRASTIVE_CACHE_DIR otherwise', async () => {
    const before = server.requests.length;
    vi.stubEnv('CONTRASTIVE_DATA_DIR', sharedDataDir());
    vi.stubEnv('CONTRASTIVE_CACHE_DIR', await freshDir());
    const shared = await ensureCifar10({ url: url('ok') });
    expect(shared).toMatchObject({ downloaded: false, layout: 'single', dir: path.join(sharedDataDir(), 'cifar10') });
    expect(server.requests.length).toBe(before);

    const cache = await freshDir();
    vi.stubEnv('CONTRASTIVE_DATA_DIR', '');
    vi.stubEnv('CONTRASTIVE_CACHE_DIR', cache);
    const downloaded = await ensureCifar10({ url: url('ok'), sha256: sha256(archives['ok']!), progressBar: false });
    expect(downloaded.downloaded).toBe(true);
    expect(downloaded.dir.startsWith(cache)).toBe(true);
    expect(Array.from((await loadCifar10({ split: 'test' })).labels)).toEqual(TEST_LABELS); // loadCifar10 looks in the cache too
  });

  it('download: false, an existing non-CIFAR cifar10/ folder, and bad options: ArgumentError before any request', async () => {
    const before = server.requests.length;
    await expect(ensureCifar10({ dir: await freshDir(), url: url('ok'), download: false })).rejects.toBeInstanceOf(ArgumentError);
    const dir = await freshDir();
    await mkdir(path.join(dir, 'cifar10'));
    await expect(ensureCifar10({ dir, url: url('ok') })).rejects.toThrow(/exists but does not hold/);
    await expect(ensureCifar10({ dir, url: 'ftp://example.org/x.tar.gz' })).rejects.toMatchObject({ argument: 'options.url' });
    await expect(ensureCifar10({ dir, sha256: 'abc' })).rejects.toMatchObject({ argument: 'options.sha256' });
    await expect(ensureCifar10({ dir, md5: 'z'.repeat(32) })).rejects.toMatchObject({ argument: 'options.md5' });
    expect(server.requests.length).toBe(before);
  });
});
