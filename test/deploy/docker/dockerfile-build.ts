/**
 * Executes a Dockerfile (the subset of dockerfile-parse.ts) without a container engine, so the project's image
 * is proven by running it rather than by reading it:
 *
 * - each stage the target needs (BuildKit skips the others) gets a clean folder standing for its root
 *   filesystem; a container path P is `<stage folder>/P`;
 * - the base image `node:<major>...` is the host's Node.js, which must have that major version (anything else
 *   is refused); FROM another stage starts from a copy of its folder, config included;
 * - COPY from the build context sees only what `.dockerignore` keeps (dockerignore.ts); COPY --from=stage
 *   copies between stage folders; a folder source copies its contents, as Docker does; --chown applies when
 *   the build runs as root;
 * - RUN runs `/bin/sh -c` (or the exec form) in the stage's WORKDIR, with the stage's ENV and ARGs, HOME=/root
 *   of the stage, and PATH as in the Node images (the host's node first); nothing of the caller's environment
 *   leaks in (no npm_config_* from the test runner). A cache mount (`--mount=type=cache,target=/root/.npm`) is
 *   a persistent folder shared between builds, as in BuildKit: here the host's npm cache;
 * - ENV, USER, EXPOSE, HEALTHCHECK, CMD and ENTRYPOINT become the image config that `imageCommand` and
 *   `healthcheckCommand` use, the way `docker run` and the health monitor would.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextFiles, parseDockerignore } from './dockerignore';
import { DockerfileError, findStage, parseDockerfile, stagesFor, substitute, type CommandForm, type CopyStep, type Dockerfile, type Stage } from './dockerfile-parse';

export interface ImageConfig {
  env: Record<string, string>;
  workdir: string;
  user: string | null;
  exposed: string[];
  healthcheck: { options: Record<string, string>; command: CommandForm } | null;
  cmd: CommandForm | null;
  entrypoint: CommandForm | null;
}

export interface BuiltStage {
  stage: Stage;
  /** The folder standing for the stage's root filesystem. */
  root: string;
  config: ImageConfig;
}

export interface BuildResult {
  dockerfile: Dockerfile;
  /** The stages that were built, by name (or index), in order. */
  stages: BuiltStage[];
  target: BuiltStage;
  /** Build context files .dockerignore kept. */
  context: string[];
  /** Every RUN with its output, for diagnosis. */
  log: string[];
}

export interface BuildOptions {
  contextDir: string;
  dockerfile?: string;
  /** Stage name; default: the last stage (Docker's default target). */
  target?: string;
  /** Folder under which stage folders are created. */
  workDir: string;
  /** The persistent folder behind `--mount=type=cache` (default: the host's npm cache). */
  cacheDir?: string;
}

/** The PATH of the official Node images, with the host's node in front so `node` and `npm` resolve to it. */
function imagePath(): string {
  return [path.dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
}

function hostNpmCache(): string {
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', env: { PATH: imagePath(), HOME: os.homedir() } });
  const dir = r.stdout.trim();
  return dir && r.status === 0 ? dir : path.join(os.homedir(), '.npm');
}

function inStage(root: string, containerPath: string): string {
  return path.join(root, path.posix.resolve('/', containerPath));
}

/** uid:gid of a USER or --chown value, when numeric (names would need the image's /etc/passwd). */
export function numericUser(user: string): { uid: number; gid: number } | null {
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  return m ? { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) } : null;
}

function chownTree(p: string, owner: { uid: number; gid: number }): void {
  fs.lchownSync(p, owner.uid, owner.gid);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), owner);
}

function copyInto(src: string, dest: string, destIsDir: boolean): string {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    fs.cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
    return dest;
  }
  const target = destIsDir ? path.join(dest, path.basename(src)) : dest;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(src, target);
  fs.chmodSync(target, st.mode & 0o7777);
  return target;
}

function runCopy(step: CopyStep, ctx: { root: string; workdir: string; vars: Record<string, string>; contextDir: string; context: Set<string>; built: Map<number, BuiltStage>; df: Dockerfile }): void {
  const dest = substitute(step.dest, ctx.vars, step.line);
  const destAbs = inStage(ctx.root, path.posix.resolve(ctx.workdir, dest));
  const destIsDir = dest.endsWith('/') || dest === '.' || step.sources.length > 1;
  const owner = step.chown ? numericUser(step.chown) : null;
  if (step.chown && !owner) throw new DockerfileError(`line ${step.line}: --chown=${step.chown}: only numeric uid[:gid] is supported here`);
  for (const rawSrc of step.sources) {
    const src = substitute(rawSrc, ctx.vars, step.line);
    let from: string;
    if (step.from !== null) {
      const stage = findStage(ctx.df, step.from);
      const built = stage && ctx.built.get(stage.index);
      if (!built) throw new DockerfileError(`line ${step.line}: COPY --from=${step.from}: only earlier stages of this file can be copied from here (not images)`);
      from = inStage(built.root, path.posix.resolve('/', src));
      if (!fs.existsSync(from)) throw new DockerfileError(`line ${step.line}: COPY --from=${step.from} ${src}: not found in that stage`);
    } else {
      const rel = path.posix.normalize(src).replace(/^(\.\/)+|\/+$/g, '');
      const kept = rel === '.' || rel === '' ? [...ctx.context] : [...ctx.context].filter((f) => f === rel || f.startsWith(`${rel}/`));
      if (kept.length === 0) throw new DockerfileError(`line ${step.line}: COPY ${src}: not in the build context (missing, or left out by .dockerignore)`);
      // Copy only what .dockerignore kept: stage the kept files, then copy them like a folder or a file.
      if (kept.length === 1 && kept[0] === rel) from = path.join(ctx.contextDir, rel);
      else {
        from = fs.mkdtempSync(path.join(ctx.root, '..', 'ctx-'));
        for (const f of kept) copyInto(path.join(ctx.contextDir, f), path.join(from, rel === '.' || rel === '' ? f : f.slice(rel.length + 1)), false);
      }
    }
    const written = copyInto(from, destAbs, destIsDir);
    if (owner && process.getuid?.() === 0) chownTree(written, owner);
  }
}

function runCommand(command: CommandForm, opts: { cwd: string; env: Record<string, string>; uid?: number; gid?: number; timeoutMs?: number }) {
  const [file, args] = 'exec' in command ? [command.exec[0], command.exec.slice(1)] : ['/bin/sh', ['-c', command.shell]];
  return spawnSync(file, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, uid: opts.uid, gid: opts.gid, timeout: opts.timeoutMs });
}

function emptyConfig(): ImageConfig {
  return { env: { PATH: imagePath() }, workdir: '/', user: null, exposed: [], healthcheck: null, cmd: null, entrypoint: null };
}

export function buildDockerfile(opts: BuildOptions): BuildResult {
  const dockerfilePath = path.join(opts.contextDir, opts.dockerfile ?? 'Dockerfile');
  const df = parseDockerfile(fs.readFileSync(dockerfilePath, 'utf8'));
  const ignoreFile = path.join(opts.contextDir, '.dockerignore');
  const patterns = parseDockerignore(fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8') : '');
  const context = contextFiles(opts.contextDir, patterns);
  const contextSet = new Set(context);
  const target = opts.target ? findStage(df, opts.target) : df.stages[df.stages.length - 1];
  if (!target) throw new DockerfileError(`target ${opts.target} is not a stage; allowed: ${df.stages.map((s) => s.name ?? s.index).join(', ')}`);
  const cacheDir = opts.cacheDir ?? hostNpmCache();
  const built = new Map<number, BuiltStage>();
  const log: string[] = [];

  for (const stage of stagesFor(df, target)) {
    const root = fs.mkdtempSync(path.join(opts.workDir, `stage-${stage.name ?? stage.index}-`));
    fs.chmodSync(root, 0o755);
    let config: ImageConfig;
    const parent = findStage(df, stage.base);
    if (parent && parent.index < stage.index) {
      const b = built.get(parent.index)!;
      fs.cpSync(b.root, root, { recursive: true, verbatimSymlinks: true });
      config = structuredClone(b.config);
    } else {
      const m = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-][\w.-]*)?$/.exec(stage.base);
      if (!m) throw new DockerfileError(`line ${stage.line}: FROM ${stage.base}: only node:<major> images can stand in for the host here`);
      const hostMajor = process.versions.node.split('.')[0];
      if (m[1] !== hostMajor) throw new DockerfileError(`line ${stage.line}: FROM ${stage.base} needs Node ${m[1]}; this host runs Node ${process.versions.node}`);
      config = emptyConfig();
      fs.mkdirSync(path.join(root, 'root'), { recursive: true });
      fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
      fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    }
    const args: Record<string, string> = {};
    for (const step of stage.steps) {
      const vars = { ...df.globalArgs, ...args, ...config.env };
      switch (step.op) {
        case 'ARG':
          if (step.default !== null) args[step.name] = step.default;
          else if (df.globalArgs[step.name] !== undefined) args[step.name] = df.globalArgs[step.name];
          break;
        case 'ENV':
          for (const [k, v] of step.pairs) config.env[k] = substitute(v, vars, step.line);
          break;
        case 'WORKDIR':
          config.workdir = path.posix.resolve(config.workdir, substitute(step.dir, vars, step.line));
          fs.mkdirSync(inStage(root, config.workdir), { recursive: true });
          break;
        case 'COPY':
          runCopy(step, { root, workdir: config.workdir, vars, contextDir: opts.contextDir, context: contextSet, built, df });
          break;
        case 'RUN': {
          if (config.user !== null && !['0', 'root', '0:0'].includes(config.user)) throw new DockerfileError(`line ${step.line}: RUN after USER ${config.user} is outside the supported subset`);
          for (const target of step.cacheMounts) {
            if (target !== '/root/.npm') throw new DockerfileError(`line ${step.line}: cache mount ${target}: only /root/.npm (npm's cache) is mapped here`);
            const at = inStage(root, target);
            if (!fs.existsSync(at)) fs.symlinkSync(cacheDir, at);
          }
          const env = { ...args, ...config.env, HOME: inStage(root, '/root') };
          const r = runCommand(step.command, { cwd: inStage(root, config.workdir), env });
          log.push(`[${stage.name ?? stage.index}] line ${step.line} exit ${r.status}\n${r.stdout}${r.stderr}`);
          for (const target of step.cacheMounts) fs.rmSync(inStage(root, target), { force: true }); // a mount is not part of the image
          if (r.status !== 0) throw new DockerfileError(`line ${step.line}: RUN failed (exit ${r.status ?? r.signal}${r.error ? `, ${r.error.message}` : ''}):\n${(r.stdout + r.stderr).slice(-4000)}`);
          break;
        }
        case 'USER':
          config.user = step.user;
          break;
        case 'EXPOSE':
          config.exposed.push(...step.ports);
          break;
        case 'HEALTHCHECK':
          config.healthcheck = { options: step.options, command: step.command };
          break;
        case 'CMD':
          config.cmd = step.command;
          break;
        case 'ENTRYPOINT':
          config.entrypoint = step.command;
          config.cmd = null; // Docker resets CMD when ENTRYPOINT is set in the same image
          break;
      }
    }
    built.set(stage.index, { stage, root, config });
  }
  const stages = [...built.values()];
  return { dockerfile: df, stages, target: built.get(target.index)!, context, log };
}

/** What `docker run IMAGE` executes: ENTRYPOINT + CMD, exec or shell form; [file, args]. */
export function imageCommand(config: ImageConfig): [string, string[]] {
  const argv = (c: CommandForm | null): string[] => (c === null ? [] : 'exec' in c ? c.exec : ['/bin/sh', '-c', c.shell]);
  const all = config.entrypoint && 'shell' in config.entrypoint ? argv(config.entrypoint) : [...argv(config.entrypoint), ...argv(config.cmd)];
  if (all.length === 0) throw new DockerfileError('the image has neither CMD nor ENTRYPOINT');
  return [all[0], all.slice(1)];
}

/**
 * The environment a container of the image gets with `docker run -e K=V` for each of `overrides`. HOME is the
 * stage's /tmp (a container path would mean nothing on the host, and a uid without a passwd entry needs one).
 */
export function containerEnv(built: BuiltStage, overrides: Record<string, string> = {}): Record<string, string> {
  return { HOSTNAME: 'hysac-gateway-test', HOME: inStage(built.root, '/tmp'), ...built.config.env, ...overrides };
}

/** Process options that make a spawned process run as the image's USER (only possible when we are root). */
export function asImageUser(built: BuiltStage): { uid?: number; gid?: number } {
  const u = built.config.user ? numericUser(built.config.user) : null;
  return u && process.getuid?.() === 0 ? u : {};
}

/** Runs the image's HEALTHCHECK command the way the health monitor does (inside the container: its env, user, workdir). */
export function runHealthcheck(built: BuiltStage, overrides: Record<string, string>, timeoutMs: number) {
  const hc = built.config.healthcheck;
  if (!hc) throw new DockerfileError('the image has no HEALTHCHECK');
  return runCommand(hc.command, { cwd: inStage(built.root, built.config.workdir), env: containerEnv(built, overrides), timeoutMs, ...asImageUser(built) });
}

export { inStage };
