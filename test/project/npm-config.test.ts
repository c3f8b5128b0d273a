/**
 * A quiet, offline install: no npm configuration key npm does not know (npm 11 warns on every call, npm 12
 * drops them), every dependency install script reviewed in package.json `allowScripts` (onnxruntime-node's,
 * which would fetch CUDA libraries from outside the npm registry, denied), and no installed package whose
 * engines exclude the Node.js version the README states.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The parts of `semver` (installed with npm's tool chain; no type package in this project) used here. */
interface Semver {
  satisfies(version: string, range: string): boolean;
  intersects(a: string, b: string): boolean;
  validRange(range: string): string | null;
  minVersion(range: string): { major: number } | null;
  major(version: string): number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require('semver') as Semver;

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string; npm?: string }; allowScripts?: Record<string, boolean> };

/** Runs npm in the repository with no npm_config_* inherited (`npm test` sets them for its children). */
function npm(...args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const bin = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return spawnSync(bin, args, { cwd: root, env, encoding: 'utf8' });
}

test('the npm in use is one package.json engines.npm allows (allowScripts needs npm 11.16)', () => {
  const run = npm('--version');
  expect(run.status).toBe(0);
  expect(pkg.engines.npm).toBeDefined();
  expect({ npm: run.stdout.trim(), satisfies: semver.satisfies(run.stdout.trim(), pkg.engines.npm!) }).toEqual({ npm: run.stdout.trim(), satisfies: true });
});

test('npm reads no unknown configuration key from the project (.npmrc)', () => {
  const run = npm('pkg', 'get', 'name');
  expect(run.status).toBe(0);
  expect(run.stderr.split('\n').filter((l) => /unknown|config/i.test(l))).toEqual([]);
});

test('every dependency install script is reviewed in allowScripts; onnxruntime-node stays denied', () => {
  expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
  const run = npm('install-scripts', 'ls');
  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toBe('No packages with unreviewed install scripts.');
});

test('the README, package.json engines and every installed package agree on the Node.js version', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const stated = /Node\.js (\d+) or newer/.exec(readme);
  expect(stated).not.toBeNull();
  const major = Number(stated![1]);
  expect(semver.minVersion(pkg.engines.node)!.major).toBe(major);
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
  const excluding: string[] = [];
  let checked = 0;
  for (const dir of Object.keys(lock.packages)) {
    if (!dir.startsWith('node_modules/') && !dir.includes('/node_modules/')) continue;
    const file = path.join(root, dir, 'package.json');
    if (!fs.existsSync(file)) continue; // an optional dependency for another platform
    const { name, version, engines } = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; version: string; engines?: { node?: string } };
    checked++;
    const range = typeof engines?.node === 'string' ? engines.node : null;
    if (range === null || !semver.validRange(range)) continue;
    // Some release of the stated major must be allowed, and the running Node when it is that major.
    const ok = semver.intersects(range, `^${major}.0.0`) && (semver.major(process.version) !== major || semver.satisfies(process.version, range));
    if (!ok) excluding.push(`${name}@${version} (${dir}) wants node ${range}`);
  }
  expect(checked).toBeGreaterThan(100);
  expect(excluding).toEqual([]);
});
