#!/usr/bin/env node
/**
 * Every package's `prepack` (run by `npm pack` and `npm publish` in the package folder):
 *   1. builds the package with nx (`nx run <name>:build`: its dependencies first; a cache hit when
 *      nothing changed), so a publish from an unbuilt checkout cannot ship a package without dist
 *      (skipped when CONTRASTIVE_PREPACK_BUILT=1: the caller built everything just before);
 *   2. copies the repository's LICENSE into the package (npm includes it in the tarball);
 *   3. checks that every file the package's `exports`, `main`, `types` and `bin` name exists,
 *      and fails the pack otherwise.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const pkgDir = process.cwd();
const root = resolve(new URL('..', import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

// CONTRASTIVE_PREPACK_BUILT=1: the caller has just built every package (the consumer test does,
// to start nx once instead of once per package).
const build =
  process.env.CONTRASTIVE_PREPACK_BUILT === '1'
    ? { status: 0 }
    : spawnSync('npx', ['nx', 'run', `${pkg.name}:build`, '--outputStyle=static'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, NX_DAEMON: 'false' },
      });
if (build.status !== 0) {
  console.error(`prepack ${pkg.name}: the build failed (nx run ${pkg.name}:build exited ${build.status})`);
  process.exit(1);
}
copyFileSync(join(root, 'LICENSE'), join(pkgDir, 'LICENSE'));

const targets = new Set([pkg.main, pkg.types, ...Object.values(pkg.bin ?? {})]);
for (const entry of Object.values(pkg.exports ?? {})) {
  if (typeof entry === 'string') targets.add(entry);
  else for (const [condition, file] of Object.entries(entry)) if (condition !== 'contrastive-source') targets.add(file);
}
const missing = [...targets].filter((f) => typeof f === 'string' && !existsSync(join(pkgDir, f)));
if (missing.length > 0 || !existsSync(join(pkgDir, 'README.md'))) {
  console.error(`prepack ${pkg.name}: missing ${[...missing, ...(existsSync(join(pkgDir, 'README.md')) ? [] : ['README.md'])].join(', ')}`);
  process.exit(1);
}
