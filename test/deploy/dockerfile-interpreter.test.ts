/**
 * The Dockerfile interpreter (test/deploy/docker/) that dockerfile.test.ts relies on: it must follow Docker's
 * rules where the project's Dockerfile depends on them, and refuse what it does not implement rather than skip it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDockerfile, imageCommand } from './docker/dockerfile-build';
import { parseDockerfile, stagesFor, findStage } from './docker/dockerfile-parse';
import { contextFiles, isIgnored, parseDockerignore } from './docker/dockerignore';
import { ROOT } from './gateway-facts';

describe('.dockerignore, as docker build reads it', () => {
  const patterns = parseDockerignore('# allow-list\n*\n!src/\n!models/a/keep.txt\n**/node_modules\n!src/**/*.keep\n/dist\n');
  test.each([
    ['package.json', true],
    ['src/main.ts', false],
    ['src/node_modules/x.js', true],
    ['src/deep/node_modules/y.js', true],
    ['models/a/keep.txt', false],
    ['models/a/other.txt', true],
    ['dist/x.js', true],
  ])('%s ignored: %s', (file, ignored) => {
    expect(isIgnored(patterns, file)).toBe(ignored);
  });

  test('later patterns win, and an exception re-includes a file under an excluded folder', () => {
    expect(isIgnored(parseDockerignore('docs\n!docs/README.md'), 'docs/README.md')).toBe(false);
    expect(isIgnored(parseDockerignore('!docs/README.md\ndocs'), 'docs/README.md')).toBe(true);
    expect(isIgnored(parseDockerignore('*.md\n'), 'docs/README.md')).toBe(false); // `*` does not cross folders
    expect(isIgnored(parseDockerignore('**/*.md\n'), 'docs/README.md')).toBe(true);
  });

  test("the project's context is what the Dockerfile copies and nothing else", () => {
    const files = contextFiles(ROOT, parseDockerignore(fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')));
    const tops = [...new Set(files.map((f) => f.split('/')[0]))].sort();
    expect(tops).toEqual(['models', 'package-lock.json', 'package.json', 'plugins', 'schema', 'src', 'tsconfig.json']);
    // Exactly the default bundle's manifest and the files it names (a file added to the bundle must be let in).
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'hysac-mini', 'manifest.json'), 'utf8')) as { provenance: { files: Record<string, string> } };
    expect(files.filter((f) => f.startsWith('models/')).sort()).toEqual(['manifest.json', ...Object.keys(manifest.provenance.files)].map((f) => `models/hysac-mini/${f}`).sort());
  });
});

describe('parsing', () => {
  test("the project's Dockerfile: `docker build .` builds the CPU runtime; the CUDA target is separate", () => {
    const df = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    const last = df.stages[df.stages.length - 1];
    expect(stagesFor(df, last).map((s) => s.name)).toEqual(['build', 'runtime']);
    const cuda = findStage(df, 'runtime-cuda')!;
    expect(stagesFor(df, cuda).map((s) => s.name)).toEqual(['build', 'build-cuda', 'runtime-cuda']);
    expect(cuda.base).toMatch(/^nvidia\/cuda:12\.[\d.]+-cudnn-runtime-/);
    const env = Object.fromEntries(cuda.steps.flatMap((s) => (s.op === 'ENV' ? s.pairs : [])));
    expect(env.EXECUTION_PROVIDERS).toBe('cuda,cpu');
  });

  test.each([
    ['ADD . /app', /ADD is outside the supported subset/],
    ['COPY --link a b', /COPY --link is outside the supported subset/],
    ['RUN --mount=type=secret,id=x true', /allowed: --mount=type=cache,target=DIR/],
    ['COPY src/*.ts ./', /wildcards/],
    ['CMD ["node", 1]', /JSON array of strings/],
    ['HEALTHCHECK NONE', /needs CMD/],
    ['ENV A=${UNDECLARED}\nWORKDIR ${UNDECLARED}', null],
  ])('refuses what it does not implement: %s', (line, message) => {
    const parse = () => parseDockerfile(`FROM node:20 AS a\n${line}\n`);
    if (message) expect(parse).toThrow(message);
    else expect(parse).not.toThrow(); // substitution happens at build time, see below
  });
});

describe('building a small image', () => {
  let ctx: string;
  let work: string;
  beforeEach(() => {
    ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-ctx-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-work-'));
    fs.mkdirSync(path.join(ctx, 'app/lib'), { recursive: true });
    fs.writeFileSync(path.join(ctx, 'app/lib/a.txt'), 'a');
    fs.writeFileSync(path.join(ctx, 'app/secret.env'), 'TOKEN=1');
    fs.writeFileSync(path.join(ctx, '.dockerignore'), '**/*.env\n');
  });
  afterEach(() => {
    fs.rmSync(ctx, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });
  const dockerfile = (text: string) => fs.writeFileSync(path.join(ctx, 'Dockerfile'), text);

  test('COPY of a folder copies its contents without ignored files; RUN sees ENV and ARG; COPY --from copies between stages', () => {
    dockerfile(
      [
        `FROM node:${process.versions.node.split('.')[0]}-slim AS one`,
        'ARG GREETING=hello',
        'ENV TARGET=world',
        'WORKDIR /src',
        'COPY app ./app',
        'RUN node -e "require(\'fs\').writeFileSync(\'out.txt\', process.env.GREETING + \' \' + process.env.TARGET)"',
        `FROM node:${process.versions.node.split('.')[0]} AS two`,
        'WORKDIR /dst',
        'COPY --from=one /src/out.txt /src/app ./',
        'USER 1000:1000',
        'CMD ["node", "-e", "1"]',
      ].join('\n'),
    );
    const b = buildDockerfile({ contextDir: ctx, workDir: work });
    const one = b.stages[0].root;
    expect(fs.readdirSync(path.join(one, 'src/app'))).toEqual(['lib']);
    expect(fs.readFileSync(path.join(b.target.root, 'dst/out.txt'), 'utf8')).toBe('hello world');
    expect(fs.readFileSync(path.join(b.target.root, 'dst/lib/a.txt'), 'utf8')).toBe('a');
    expect(b.target.config.user).toBe('1000:1000');
    expect(b.target.config.env.TARGET).toBeUndefined(); // ENV does not cross stages
    expect(imageCommand(b.target.config)).toEqual(['node', ['-e', '1']]);
  });

  test('a failing RUN fails the build with its exit code and output', () => {
    dockerfile(`FROM node:${process.versions.node.split('.')[0]}\nRUN echo broken-step >&2 && exit 3\n`);
    expect(() => buildDockerfile({ contextDir: ctx, workDir: work })).toThrow(/line 2: RUN failed \(exit 3\)[\s\S]*broken-step/);
  });

  test('COPY of a file .dockerignore leaves out fails, as in docker build', () => {
    dockerfile(`FROM node:${process.versions.node.split('.')[0]}\nCOPY app/secret.env ./\n`);
    expect(() => buildDockerfile({ contextDir: ctx, workDir: work })).toThrow(/not in the build context/);
  });

  test('an undeclared variable and a base image other than the host Node are refused', () => {
    dockerfile(`FROM node:${process.versions.node.split('.')[0]}\nWORKDIR \${UNDECLARED}\n`);
    expect(() => buildDockerfile({ contextDir: ctx, workDir: work })).toThrow(/UNDECLARED is not a declared ARG or ENV/);
    dockerfile('FROM python:3.12\n');
    expect(() => buildDockerfile({ contextDir: ctx, workDir: work })).toThrow(/only node:<major> images/);
    dockerfile('FROM node:8\n');
    expect(() => buildDockerfile({ contextDir: ctx, workDir: work })).toThrow(/needs Node 8/);
  });
});
