/**
 * A parser for the Dockerfile subset the project's Dockerfile uses, so the file can be executed without a
 * container engine (dockerfile-build.ts). Anything outside the subset is refused with the line number, so the
 * Dockerfile cannot grow an instruction this proof silently skips.
 *
 * Subset (Dockerfile reference semantics): comments and `# syntax=` directives, `\` line continuations;
 * ARG (before the first FROM: global, usable in FROM; inside a stage: a build variable with a default);
 * FROM image [AS name]; WORKDIR; COPY [--from=stage] [--chown=uid:gid] src... dest; RUN [--mount=type=cache,
 * target=DIR] (shell or exec form); ENV k=v ... (or the legacy `ENV k v`); USER; EXPOSE; HEALTHCHECK
 * [--interval|--timeout|--start-period|--retries] CMD ...; CMD and ENTRYPOINT (exec or shell form).
 */

/** A command in exec form (JSON array, run as is) or shell form (run with `/bin/sh -c`). */
export type CommandForm = { exec: string[] } | { shell: string };

export interface CopyStep {
  op: 'COPY';
  line: number;
  from: string | null;
  chown: string | null;
  sources: string[];
  dest: string;
}
export type Step =
  | { op: 'WORKDIR'; line: number; dir: string }
  | CopyStep
  | { op: 'RUN'; line: number; command: CommandForm; cacheMounts: string[] }
  | { op: 'ENV'; line: number; pairs: [string, string][] }
  | { op: 'ARG'; line: number; name: string; default: string | null }
  | { op: 'USER'; line: number; user: string }
  | { op: 'EXPOSE'; line: number; ports: string[] }
  | { op: 'HEALTHCHECK'; line: number; options: Record<string, string>; command: CommandForm }
  | { op: 'CMD' | 'ENTRYPOINT'; line: number; command: CommandForm };

export interface Stage {
  /** The image reference after global ARG substitution, e.g. node:20-bookworm-slim, or another stage's name. */
  base: string;
  name: string | null;
  index: number;
  line: number;
  steps: Step[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

const INSTRUCTIONS = ['ARG', 'FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD', 'ENTRYPOINT'];
const HEALTHCHECK_OPTIONS = ['interval', 'timeout', 'start-period', 'retries'];

export class DockerfileError extends Error {}

/** Joins continuation lines and drops comments; returns [line number of the instruction, text]. */
function logicalLines(text: string): [number, string][] {
  const out: [number, string][] = [];
  let buf = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (buf !== '' && trimmed.startsWith('#')) return; // comments inside a continued instruction
    if (buf === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      buf += trimmed.slice(0, -1) + ' ';
      return;
    }
    out.push([start, (buf + trimmed).trim()]);
    buf = '';
  });
  if (buf !== '') throw new DockerfileError(`line ${start}: the file ends inside a continued instruction`);
  return out;
}

/** `${NAME}`, `${NAME:-default}` and `$NAME` from `vars`; an unknown variable is an error, not an empty string. */
export function substitute(s: string, vars: Record<string, string>, line: number): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string, _d, dflt: string | undefined, bare: string) => {
    const name = braced ?? bare;
    if (vars[name] !== undefined) return vars[name];
    if (dflt !== undefined) return dflt;
    throw new DockerfileError(`line ${line}: $${name} is not a declared ARG or ENV`);
  });
}

function commandForm(rest: string, line: number): CommandForm {
  if (rest.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rest);
    } catch (e) {
      throw new DockerfileError(`line ${line}: exec form is not a JSON array (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) throw new DockerfileError(`line ${line}: exec form must be a non-empty JSON array of strings`);
    return { exec: parsed as string[] };
  }
  if (!rest) throw new DockerfileError(`line ${line}: missing command`);
  return { shell: rest };
}

/** Leading `--name=value` flags of an instruction, checked against `allowed`. */
function flags(rest: string, allowed: string[], op: string, line: number): { flags: Record<string, string[]>; rest: string } {
  const out: Record<string, string[]> = {};
  let r = rest;
  for (let m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(r); m; m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(r)) {
    if (!allowed.includes(m[1])) throw new DockerfileError(`line ${line}: ${op} --${m[1]} is outside the supported subset; allowed: ${allowed.map((a) => `--${a}`).join(', ') || 'none'}`);
    if (!m[2]) throw new DockerfileError(`line ${line}: ${op} --${m[1]} needs a value (--${m[1]}=...)`);
    (out[m[1]] ??= []).push(m[2]);
    r = r.slice(m[0].length);
  }
  return { flags: out, rest: r };
}

function envPairs(rest: string, line: number): [string, string][] {
  if (!rest.includes('=')) {
    const m = /^(\S+)\s+(.+)$/.exec(rest);
    if (!m) throw new DockerfileError(`line ${line}: ENV needs key=value`);
    return [[m[1], m[2]]];
  }
  const pairs: [string, string][] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))\s*/y;
  let i = 0;
  while (i < rest.length) {
    re.lastIndex = i;
    const m = re.exec(rest);
    if (!m) throw new DockerfileError(`line ${line}: ENV ${JSON.stringify(rest.slice(i))} is not key=value`);
    pairs.push([m[1], m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4] ?? m[5] ?? '']);
    i = re.lastIndex;
  }
  return pairs;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const [line, logical] of logicalLines(text)) {
    const m = /^(\S+)\s*(.*)$/.exec(logical)!;
    const op = m[1].toUpperCase();
    const rest = m[2].trim();
    if (!INSTRUCTIONS.includes(op)) throw new DockerfileError(`line ${line}: ${m[1]} is outside the supported subset; allowed: ${INSTRUCTIONS.join(', ')}`);
    const stage = stages[stages.length - 1];
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+([A-Za-z][A-Za-z0-9_.-]*))?$/i.exec(rest);
      if (!f) throw new DockerfileError(`line ${line}: FROM ${rest} is not "image [AS name]"`);
      stages.push({ base: substitute(f[1], globalArgs, line), name: f[2]?.toLowerCase() ?? null, index: stages.length, line, steps: [] });
      continue;
    }
    if (op === 'ARG') {
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest);
      if (!a) throw new DockerfileError(`line ${line}: ARG ${rest} is not NAME[=default]`);
      if (!stage) {
        if (a[2] === undefined) throw new DockerfileError(`line ${line}: global ARG ${a[1]} needs a default here (no --build-arg in this interpreter)`);
        globalArgs[a[1]] = a[2];
      } else stage.steps.push({ op: 'ARG', line, name: a[1], default: a[2] ?? null });
      continue;
    }
    if (!stage) throw new DockerfileError(`line ${line}: ${op} before the first FROM`);
    switch (op) {
      case 'WORKDIR':
        stage.steps.push({ op, line, dir: rest });
        break;
      case 'COPY': {
        const f = flags(rest, ['from', 'chown'], op, line);
        const parts = f.rest.split(/\s+/).filter(Boolean);
        if (parts.length < 2) throw new DockerfileError(`line ${line}: COPY needs at least one source and a destination`);
        if (parts.some((p) => /[*?[]/.test(p))) throw new DockerfileError(`line ${line}: COPY wildcards are outside the supported subset`);
        stage.steps.push({ op, line, from: f.flags.from?.[0]?.toLowerCase() ?? null, chown: f.flags.chown?.[0] ?? null, sources: parts.slice(0, -1), dest: parts[parts.length - 1] });
        break;
      }
      case 'RUN': {
        const f = flags(rest, ['mount'], op, line);
        const cacheMounts = (f.flags.mount ?? []).map((spec) => {
          const kv = Object.fromEntries(spec.split(',').map((p) => p.split('=') as [string, string]));
          if (kv.type !== 'cache' || !kv.target || Object.keys(kv).some((k) => k !== 'type' && k !== 'target')) throw new DockerfileError(`line ${line}: RUN --mount=${spec} is outside the supported subset; allowed: --mount=type=cache,target=DIR`);
          return kv.target;
        });
        stage.steps.push({ op, line, command: commandForm(f.rest, line), cacheMounts });
        break;
      }
      case 'ENV':
        stage.steps.push({ op, line, pairs: envPairs(rest, line) });
        break;
      case 'USER':
        if (!rest || /\s/.test(rest)) throw new DockerfileError(`line ${line}: USER needs one user[:group]`);
        stage.steps.push({ op, line, user: rest });
        break;
      case 'EXPOSE':
        stage.steps.push({ op, line, ports: rest.split(/\s+/) });
        break;
      case 'HEALTHCHECK': {
        const options: Record<string, string> = {};
        let r = rest;
        for (let o = /^--([a-z-]+)=(\S+)\s+/.exec(r); o; o = /^--([a-z-]+)=(\S+)\s+/.exec(r)) {
          if (!HEALTHCHECK_OPTIONS.includes(o[1])) throw new DockerfileError(`line ${line}: HEALTHCHECK --${o[1]} is not known; allowed: ${HEALTHCHECK_OPTIONS.map((x) => `--${x}`).join(', ')}`);
          options[o[1]] = o[2];
          r = r.slice(o[0].length);
        }
        const c = /^CMD\s+(.*)$/i.exec(r);
        if (!c) throw new DockerfileError(`line ${line}: HEALTHCHECK needs CMD (HEALTHCHECK NONE is outside the supported subset)`);
        stage.steps.push({ op, line, options, command: commandForm(c[1].trim(), line) });
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT':
        stage.steps.push({ op, line, command: commandForm(rest, line) });
        break;
    }
  }
  if (stages.length === 0) throw new DockerfileError('no FROM: a Dockerfile needs at least one stage');
  return { globalArgs, stages };
}

/** The stage a name or index refers to. */
export function findStage(df: Dockerfile, ref: string): Stage | undefined {
  const r = ref.toLowerCase();
  return df.stages.find((s) => s.name === r) ?? (/^\d+$/.test(r) ? df.stages[Number(r)] : undefined);
}

/** The stages `target` needs, in file order: itself, the stages it is FROM, and those it COPYs --from, transitively. */
export function stagesFor(df: Dockerfile, target: Stage): Stage[] {
  const need = new Set<number>();
  const visit = (s: Stage) => {
    if (need.has(s.index)) return;
    need.add(s.index);
    const base = findStage(df, s.base);
    if (base && base.index < s.index) visit(base);
    for (const step of s.steps) {
      if (step.op !== 'COPY' || step.from === null) continue;
      const dep = findStage(df, step.from);
      if (dep) visit(dep);
    }
  };
  visit(target);
  return df.stages.filter((s) => need.has(s.index));
}
