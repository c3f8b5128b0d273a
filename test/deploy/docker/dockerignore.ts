/**
 * .dockerignore with Docker's semantics (moby/patternmatcher, as `docker build` applies it to the context):
 * one pattern a line, `#` comments, a leading `!` re-includes; `*` is any run of characters but `/`, `?` one
 * of them, `**` any number of folders (`**\/x` also matches `x` at the top); patterns are relative to the
 * context root (a leading `/` is dropped). A path is ignored when the LAST pattern matching it, or matching one
 * of its parent folders, is not an exception.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Pattern {
  text: string;
  exception: boolean;
  re: RegExp;
}

function toRegExp(p: string): RegExp {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      if (p[i + 2] === '/') {
        re += '(.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) throw new Error(`.dockerignore: unclosed [ in ${JSON.stringify(p)}`);
      re += `[${p.slice(i + 1, end).replace(/^!/, '^')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < p.length) re += `\\${p[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

export function parseDockerignore(text: string): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const exception = line.startsWith('!');
    if (exception) line = line.slice(1).trim();
    const clean = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (!clean || clean === '.') continue;
    out.push({ text: clean, exception, re: toRegExp(clean) });
  }
  return out;
}

/** Whether `rel` (a path relative to the context, with `/`) is left out of the build context. */
export function isIgnored(patterns: Pattern[], rel: string): boolean {
  const parts = rel.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const p of patterns) {
    if (candidates.some((c) => p.re.test(c))) ignored = !p.exception;
  }
  return ignored;
}

/** Whether some exception could re-include a path under folder `dir`, so an ignored folder must still be walked. */
function exceptionBelow(patterns: Pattern[], dir: string): boolean {
  return patterns.some((p) => {
    if (!p.exception) return false;
    const literal = p.text.split(/[*?[\\]/)[0];
    return literal.startsWith(`${dir}/`) || `${dir}/`.startsWith(literal);
  });
}

/** The files of the build context at `contextDir` that `.dockerignore` keeps, as sorted relative paths. */
export function contextFiles(contextDir: string, patterns: Pattern[]): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(contextDir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!isIgnored(patterns, child) || exceptionBelow(patterns, child)) walk(child);
      } else if (!isIgnored(patterns, child)) files.push(child);
    }
  };
  walk('');
  return files.sort();
}
