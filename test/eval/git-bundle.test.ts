import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filesNamedByManifest, materialiseBundle } from '../../models/eval/git-bundle';

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
}

/** A repository with a two-file "bundle" committed twice (v1, then v2). */
function repoWithTwoVersions(): { repo: string; v1: string; v2: string } {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-git-bundle-'));
  git(repo, 'init', '-q');
  git(repo, 'config', 'user.email', 'eval@test');
  git(repo, 'config', 'user.name', 'eval test');
  const b = path.join(repo, 'models', 'm');
  fs.mkdirSync(path.join(b, 'data'), { recursive: true });
  const manifest = { provenance: { files: { 'text.onnx': 'x' } }, text: { model: 'text.onnx', tokenizer: { vocab: 'vocab.txt' } } };
  fs.writeFileSync(path.join(b, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(b, 'text.onnx'), Buffer.from([0, 1, 2, 255, 254]));
  fs.writeFileSync(path.join(b, 'vocab.txt'), 'a\nb\n');
  fs.writeFileSync(path.join(b, 'data', 'corpus.tsv'), 'not part of the bundle\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'v1');
  const v1 = git(repo, 'rev-parse', 'HEAD');
  fs.writeFileSync(path.join(b, 'text.onnx'), Buffer.from('v2 weights'));
  git(repo, 'commit', '-q', '-am', 'v2');
  return { repo, v1, v2: git(repo, 'rev-parse', 'HEAD') };
}

describe('materialiseBundle', () => {
  it('writes the bundle files of an old commit byte for byte, and reuses them the second time', () => {
    const { repo, v1 } = repoWithTwoVersions();
    const cache = path.join(repo, '.cache');
    const r = materialiseBundle(repo, v1.slice(0, 7), 'models/m', cache, 'v1');
    if (!r.ok) throw new Error(r.reason);
    expect(r.commit).toBe(v1);
    expect(r.reused).toBe(false);
    expect([...fs.readFileSync(path.join(r.dir, 'text.onnx'))]).toEqual([0, 1, 2, 255, 254]);
    expect(fs.readFileSync(path.join(r.dir, 'vocab.txt'), 'utf8')).toBe('a\nb\n');
    expect(fs.existsSync(path.join(r.dir, 'data'))).toBe(false); // only the bundle's top-level files
    // The working tree holds v2; the materialised copy stays v1.
    expect(fs.readFileSync(path.join(repo, 'models/m/text.onnx'), 'utf8')).toBe('v2 weights');
    const again = materialiseBundle(repo, v1, 'models/m', cache, 'v1');
    expect(again).toEqual({ ok: true, dir: r.dir, commit: v1, reused: true });
  });

  it('says why when the revision does not exist', () => {
    const { repo } = repoWithTwoVersions();
    const r = materialiseBundle(repo, 'deadbeef', 'models/m', path.join(repo, '.cache'), 'v1');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('git revision deadbeef is not available');
  });

  it('says why when the bundle or a file its manifest names is missing at that revision', () => {
    const { repo, v1 } = repoWithTwoVersions();
    const r = materialiseBundle(repo, v1, 'models/none', path.join(repo, '.cache'), 'v1');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('models/none/manifest.json does not exist');
    git(repo, 'rm', '-q', 'models/m/vocab.txt');
    git(repo, 'commit', '-q', '-m', 'drop vocab');
    const r2 = materialiseBundle(repo, 'HEAD', 'models/m', path.join(repo, '.cache'), 'v3');
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.reason).toContain('names vocab.txt, which is not in models/m/');
  });

  it('lists the files a manifest names', () => {
    expect(filesNamedByManifest({ provenance: { files: { 'a.onnx': '1', 'pool.txt': '2' } }, text: { model: 'a.onnx', tokenizer: { vocab: 'v.txt' } }, image: { model: 'i.onnx' }, anchors: 'an.tsv', pool: 'pool.txt' }).sort()).toEqual(
      ['a.onnx', 'an.tsv', 'i.onnx', 'pool.txt', 'v.txt'],
    );
  });
});
