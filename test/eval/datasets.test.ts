import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EVAL_FILES, missingPaths } from '../../models/eval/datasets';

const ROOT = path.resolve(__dirname, '../..');

describe('evaluation data checks', () => {
  it('names the data folder when it is missing, else each missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-data-'));
    expect(missingPaths(path.join(dir, 'nope'))).toEqual([path.join(dir, 'nope')]);
    fs.mkdirSync(path.join(dir, 'coco'));
    fs.writeFileSync(path.join(dir, EVAL_FILES.coco), 'prompt\nx\n');
    const missing = missingPaths(dir);
    expect(missing).toContain(path.join(dir, EVAL_FILES.parti));
    expect(missing).not.toContain(path.join(dir, EVAL_FILES.coco));
    expect(missing).toHaveLength(Object.keys(EVAL_FILES).length - 1);
  });

  it('run-eval exits non-zero naming the missing path (before loading any model)', () => {
    const missing = path.join(os.tmpdir(), `no-such-eval-${process.pid}`);
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'models/eval/run-eval.ts'), '--data', missing, '--bundle', path.join(ROOT, 'models/fixture-tiny')], {
      encoding: 'utf8',
      cwd: ROOT,
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`evaluation data missing: ${missing}`);
  });

  it('run-eval says which option needs a value (--baseline REF|none, --label NAME)', () => {
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'models/eval/run-eval.ts'), '--quick', '--baseline'], { encoding: 'utf8', cwd: ROOT, timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--baseline needs a value');
    expect(r.stderr).toContain('--baseline REF');
  });

  it('run-eval refuses unknown arguments', () => {
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'models/eval/run-eval.ts'), '--bogus'], { encoding: 'utf8', cwd: ROOT, timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown argument "--bogus"');
  });
});
