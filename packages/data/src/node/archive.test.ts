import { describe, expect, it } from 'vitest';
import { unsafeEntryReason } from './archive.js';

describe('unsafeEntryReason', () => {
  it('accepts ordinary relative entries and links that point down into the archive', () => {
    for (const [p, type, link] of [
      ['cifar-10-batches-bin/data_batch_1.bin', 'File', undefined],
      ['cifar-10-batches-bin/', 'Directory', undefined],
      ['./readme.html', 'File', undefined],
      ['dir/latest', 'SymbolicLink', 'data_batch_5.bin'],
      ['dir/self', 'SymbolicLink', '.'],
      ['dir/copy.bin', 'Link', 'dir/data.bin'],
    ] as const) {
      expect(unsafeEntryReason(p, type, link), p).toBeUndefined();
    }
  });

  it('refuses escapes: .., absolute paths, outward or absolute links, devices', () => {
    for (const [p, type, link, why] of [
      ['../evil.txt', 'File', undefined, /'\.\.'/],
      ['a/../../evil.txt', 'File', undefined, /'\.\.'/],
      ['a\\..\\..\\evil.txt', 'File', undefined, /'\.\.'/],
      ['/etc/cron.d/evil', 'File', undefined, /absolute/],
      ['C:\\evil', 'File', undefined, /absolute/],
      ['link', 'SymbolicLink', '/etc', /absolute/],
      ['link', 'SymbolicLink', '../../outside', /'\.\.'/],
      // lexically inside, but escapes through another link (a -> .): refused because of '..'
      ['b', 'SymbolicLink', 'a/a/..', /'\.\.'/],
      ['hard', 'Link', '../outside', /'\.\.'/],
      ['hard', 'Link', '/etc/passwd', /absolute/],
      ['dev', 'CharacterDevice', undefined, /type CharacterDevice/],
      ['fifo', 'FIFO', undefined, /type FIFO/],
      ['', 'File', undefined, /empty/],
    ] as const) {
      expect(unsafeEntryReason(p, type, link), `${p} -> ${link}`).toMatch(why);
    }
  });
});
