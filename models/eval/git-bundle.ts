/**
 * A model bundle as committed at some git revision, written out to a cache folder so that the eval can open
 * it through the same code path as the bundle on disk (loadBundle verifies every sha256 the manifest lists).
 * Used for "v1 beside v2": the bundle before a retraining, read from history, next to the current one.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Materialised = { ok: true; dir: string; commit: string; reused: boolean } | { ok: false; reason: string };

const MARKER = '.materialised-from';

function git(repo: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', repo, ...args], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
}

function gitText(repo: string, args: string[]): string {
  return git(repo, args).toString('utf8').trim();
}

function errText(e: unknown): string {
  const stderr = (e as { stderr?: Buffer }).stderr?.toString('utf8').trim();
  return stderr || (e instanceof Error ? e.message : String(e));
}

/** Files the manifest names (provenance.files and the model, tokenizer, anchor and pool files). */
export function filesNamedByManifest(manifest: unknown): string[] {
  const m = manifest as {
    provenance?: { files?: Record<string, string> };
    text?: { model?: string; tokenizer?: { vocab?: string; merges?: string } };
    image?: { model?: string };
    anchors?: string;
    pool?: string;
  };
  const names = [
    ...Object.keys(m.provenance?.files ?? {}),
    m.text?.model,
    m.text?.tokenizer?.vocab,
    m.text?.tokenizer?.merges,
    m.image?.model,
    m.anchors,
    m.pool,
  ];
  return [...new Set(names.filter((x): x is string => typeof x === 'string' && x !== ''))];
}

/**
 * Writes the top-level files of `bundlePath` (relative to the repository root) at revision `ref` into
 * `cacheRoot/<name>-<commit12>/`, once: a folder already holding the marker for that commit is reused.
 * Returns why not when git, the revision or the bundle is not there (a shallow clone, an unknown ref) or
 * when a file the manifest names is missing at that revision.
 */
export function materialiseBundle(repo: string, ref: string, bundlePath: string, cacheRoot: string, name: string): Materialised {
  let commit: string;
  try {
    commit = gitText(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch (e) {
    let shallow = '';
    try {
      shallow = gitText(repo, ['rev-parse', '--is-shallow-repository']) === 'true' ? ' (this clone is shallow: fetch its history with git fetch --unshallow)' : '';
    } catch {
      shallow = '';
    }
    return { ok: false, reason: `git revision ${ref} is not available in ${repo}${shallow}: ${errText(e) || 'unknown revision'}` };
  }
  const dir = path.join(cacheRoot, `${name}-${commit.slice(0, 12)}`);
  const marker = path.join(dir, MARKER);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === commit) return { ok: true, dir, commit, reused: true };

  const prefix = bundlePath.replace(/\/+$/, '') + '/';
  let listing: string;
  try {
    listing = git(repo, ['ls-tree', '-z', commit, prefix]).toString('utf8');
  } catch (e) {
    return { ok: false, reason: `git ls-tree ${commit} ${prefix} failed: ${errText(e)}` };
  }
  // "<mode> <type> <sha>\t<path>\0" per entry; only blobs directly in the bundle folder.
  const blobs = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [, type, sha] = line.slice(0, tab).split(' ');
      return { type, sha, file: line.slice(tab + 1) };
    })
    .filter((b) => b.type === 'blob' && !b.file.slice(prefix.length).includes('/'));
  const names = new Set(blobs.map((b) => b.file.slice(prefix.length)));
  if (!names.has('manifest.json')) return { ok: false, reason: `${prefix}manifest.json does not exist at ${ref} (${commit.slice(0, 12)})` };

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const b of blobs) fs.writeFileSync(path.join(dir, b.file.slice(prefix.length)), git(repo, ['cat-file', 'blob', b.sha]));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as unknown;
  const missing = filesNamedByManifest(manifest).filter((f) => !names.has(f));
  if (missing.length) return { ok: false, reason: `the manifest at ${ref} names ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not in ${prefix} at that revision` };
  fs.writeFileSync(marker, commit + '\n');
  return { ok: true, dir, commit, reused: false };
}
