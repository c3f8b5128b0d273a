#!/usr/bin/env node
/**
 * The command line: `hysac-gateway <command> [options] [text ...]`.
 *   serve                  start the HTTP/GraphQL server
 *   classify|embed|redirect  judge, embed or redirect texts (arguments or --file, one a line) or images
 *                          (--image FILE, repeatable) without a server; one JSON object per line
 *   tokenize               token ids the bundle's text tower receives, one JSON array per line
 * Every command takes --bundle DIR (default: the embedded bundle) and --help.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CONFIG_DOC, resolveConfig, type Config } from './config';
import { GatewayError } from './errors';
import { distanceFromOrigin, timeComponent } from './geometry';
import { createLogger, openServices, startGateway } from './main';
import { loadBundle } from './runtime/bundle';
import { decodeImageInput, preprocessImage } from './runtime/image';
import { loadTokenizer } from './runtime/tokenizers';
import type { Tokenizer } from './runtime/tokenizers/types';
import { REDIRECT_STRATEGIES, type RedirectStrategyName } from './safety/service';
import type { Verdict } from './safety/verdict';
import type { Services } from './services';

const COMMANDS: Record<string, string> = {
  serve: 'start the GraphQL server (POST /graphql, /healthz, /readyz, /metrics)',
  classify: 'judge texts or images: {"input","unsafe","score","distance","threshold","nearest"} per line',
  embed: 'embed texts or images: {"input","space","time","distance","curvature"} per line',
  redirect: 'redirect unsafe texts or images to safe text: {"input","output","redirected",...} per line',
  tokenize: 'print the token ids the text tower receives, one JSON array per line',
};

function usage(command?: string): string {
  const common = `  --bundle DIR     model bundle folder (default: the embedded bundle; env MODEL_DIR)\n  --help           this help`;
  if (command === 'serve') {
    const table = CONFIG_DOC.map(([k, d, m]) => `  ${k.padEnd(22)} ${d.padEnd(22)} ${m}`).join('\n');
    return `Usage: hysac-gateway serve [--port N] [--host ADDR] [--bundle DIR]\n\n${COMMANDS.serve}\n\nOptions:\n  --port N         TCP port (env PORT, default 4000)\n  --host ADDR      bind address (env HOST, default 127.0.0.1)\n${common}\n\nEnvironment:\n${table}\n`;
  }
  if (command === 'tokenize') {
    return `Usage: hysac-gateway tokenize [--bundle DIR | --merges FILE] [--file prompts.txt] [text ...]\n\n${COMMANDS.tokenize}\n\nOptions:\n  --merges FILE    use OpenAI CLIP's BPE straight from a merges file (bpe_simple_vocab_16e6.txt.gz)\n  --file FILE      read texts from FILE, one a line\n${common}\n`;
  }
  if (command && COMMANDS[command]) {
    const extra = command === 'redirect' ? `\n  --strategy S     ${REDIRECT_STRATEGIES.join(' | ')} (default: REDIRECT_STRATEGY, EDIT unless set)` : '';
    return `Usage: hysac-gateway ${command} [--bundle DIR] [--file prompts.txt] [--image FILE ...] [text ...]\n\n${COMMANDS[command]}\n\nOptions:\n  --file FILE      read texts from FILE, one a line (blank lines skipped)\n  --image FILE     an image file (repeatable)${extra}\n${common}\n`;
  }
  return `Usage: hysac-gateway <command> [options]\n\nCommands:\n${Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n')}\n\nRun hysac-gateway <command> --help for a command's options.\n`;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`hysac-gateway: ${message}\n`);
  process.exit(code);
}

function readTexts(positionals: string[], file: string | undefined): string[] {
  const texts = [...positionals];
  if (file) {
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (e) {
      fail(`cannot read --file ${file}: ${(e as Error).message}`);
    }
    for (const line of content.split(/\r?\n/)) if (line.trim()) texts.push(line);
  }
  return texts;
}

function print(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function runBatchCommand(command: string, config: Readonly<Config>, texts: string[], images: string[], strategy: RedirectStrategyName): Promise<void> {
  if (texts.length === 0 && images.length === 0) fail(`${command} needs texts (arguments or --file) or --image FILE; see hysac-gateway ${command} --help`);
  const services: Services = await openServices(config, {});
  const { runtime, safety } = services;
  const c = runtime.curvature;
  try {
    const items: { input: string; modality: 'TEXT' | 'IMAGE'; text: string | null; vec: Promise<Float32Array> }[] = [];
    // Send everything at once: the runtime batches across items.
    const textVecs = runtime.embedTexts(texts);
    texts.forEach((t, i) => items.push({ input: t, modality: 'TEXT', text: t, vec: textVecs.then((v) => v[i]) }));
    for (const file of images) {
      const vec = (async () => {
        const bytes = decodeImageInput(fs.readFileSync(file).toString('base64'), services.imageLimits);
        const px = await preprocessImage(bytes, runtime.bundle.manifest.image.preprocess, services.imageLimits);
        return (await runtime.embedImageTensors([px]))[0];
      })();
      items.push({ input: file, modality: 'IMAGE', text: null, vec });
    }
    let failed = 0;
    for (const item of items) {
      let vec: Float32Array;
      try {
        vec = await item.vec;
      } catch (e) {
        failed++;
        print({ input: item.input, error: { code: e instanceof GatewayError ? e.code : 'ERROR', message: (e as Error).message } });
        continue;
      }
      const v = safety.verdict(vec, item.modality);
      if (command === 'embed') {
        print({ input: item.input, modality: item.modality, space: Array.from(vec), time: timeComponent(vec, c), distance: distanceFromOrigin(vec, c), curvature: c });
      } else if (command === 'classify') {
        // A text read as several windows names the one that decided (as GraphQL's Classification.window).
        const w = item.text !== null ? runtime.textWindow(vec) : null;
        const window = w && w.count > 1 ? { index: w.index, count: w.count, text: w.text } : undefined;
        print({ input: item.input, modality: item.modality, unsafe: v.unsafe, score: v.score, distance: v.distance, threshold: v.threshold, ...(window ? { window } : {}), nearest: safety.nearest(vec, services.config.nearestCount) });
      } else {
        const r = await safety.redirect(vec, item.modality, item.text, strategy);
        const brief = (x: Verdict) => ({ unsafe: x.unsafe, score: x.score, distance: x.distance });
        print({ input: item.input, output: r.output, redirected: r.redirected, strategy: r.strategy, edits: r.edits ?? [], before: brief(r.before), after: brief(r.after) });
      }
    }
    if (failed) process.exitCode = 1;
  } finally {
    await runtime.close(0);
  }
}

async function runTokenize(values: { bundle?: string; merges?: string }, texts: string[]): Promise<void> {
  if (texts.length === 0) fail('tokenize needs texts (arguments or --file); see hysac-gateway tokenize --help');
  let tokenizer: Tokenizer;
  if (values.merges) {
    const path = await import('node:path');
    tokenizer = await loadTokenizer({ type: 'clip-bpe', merges: path.basename(values.merges), contextLength: 77 }, path.dirname(path.resolve(values.merges)), { specialTokensInText: 'special', promptSyntax: false });
  } else {
    const config = resolveConfig(process.env, values.bundle ? { modelDir: values.bundle } : {});
    tokenizer = (await loadBundle(config.modelDir)).tokenizer;
  }
  for (const t of texts) print(Array.from(tokenizer.encode(t)));
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage());
    return;
  }
  if (!COMMANDS[command]) fail(`unknown command ${JSON.stringify(command)}; allowed: ${Object.keys(COMMANDS).join(', ')}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        bundle: { type: 'string' },
        file: { type: 'string' },
        image: { type: 'string', multiple: true },
        merges: { type: 'string' },
        strategy: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}; see hysac-gateway ${command} --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage(command));
    return;
  }
  const env = { ...process.env, ...(values.port !== undefined ? { PORT: values.port } : {}), ...(values.host !== undefined ? { HOST: values.host } : {}) };
  const overrides = values.bundle ? { modelDir: (await import('node:path')).resolve(values.bundle) } : {};
  if (command === 'tokenize') return runTokenize(values, readTexts(positionals, values.file));
  const config = resolveConfig(env, overrides);
  if (command === 'serve') {
    const log = createLogger();
    const gateway = await startGateway(config, { log });
    log.info({ url: `${gateway.url}/graphql`, model: gateway.services.runtime.bundle.manifest.name }, 'hysac-gateway listening');
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      const force = setTimeout(() => {
        log.error('shutdown took longer than 10 s; exiting');
        process.exit(1);
      }, 10_000);
      force.unref();
      gateway.close().then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (e) => {
          log.error({ err: e }, 'error while shutting down');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    return;
  }
  const strategy = (values.strategy ?? config.redirectStrategy).toUpperCase();
  if (!REDIRECT_STRATEGIES.includes(strategy as RedirectStrategyName)) fail(`--strategy ${values.strategy} is not known; allowed: ${REDIRECT_STRATEGIES.join(', ')}`);
  await runBatchCommand(command, config, readTexts(positionals, values.file), values.image ?? [], strategy as RedirectStrategyName);
}

if (require.main === module) {
  main().catch((e) => {
    fail(e instanceof GatewayError ? `${e.code}: ${e.message}` : (e as Error).stack ?? String(e), 1);
  });
}
