#!/usr/bin/env node
/**
 * The command line: `hysac-gateway <command> [options] [text ...]`.
 *   serve                    start the HTTP/GraphQL server (cli/serve.ts)
 *   classify|embed|redirect  judge, embed or redirect texts (arguments, --file, stdin) or images (--image
 *                            FILE) without a server, one JSON object per line in argument order (cli/batch.ts)
 *   tokenize                 token ids the bundle's text tower receives, one JSON array per line
 *   demo, demo-backend       the demo diffusion backend, with or without a gateway in front (cli/demo.ts)
 * Every command takes --help.
 *
 * This file imports only Node's own modules and the help texts: each command loads its modules (ONNX
 * Runtime, sharp, Apollo, graphql) when it runs, so `--help` answers without loading any of them.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, collectInputs } from './cli/inputs';
import { fail } from './cli/io';
import { COMMANDS, usage } from './cli/usage';

const OPTIONS = {
  bundle: { type: 'string' },
  file: { type: 'string', multiple: true },
  image: { type: 'string', multiple: true },
  merges: { type: 'string' },
  strategy: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'backend-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options each command takes; any other is a usage error naming the allowed ones. */
const ALLOWED: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  serve: ['port', 'host', 'bundle'],
  classify: ['bundle', 'file', 'image'],
  embed: ['bundle', 'file', 'image'],
  redirect: ['bundle', 'file', 'image', 'strategy'],
  tokenize: ['bundle', 'file', 'merges'],
  demo: ['port', 'host', 'bundle', 'backend-port'],
  'demo-backend': ['port', 'host'],
};

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(await usage());
    return;
  }
  if (!COMMANDS[command]) fail(`unknown command ${JSON.stringify(command)}; allowed: ${Object.keys(COMMANDS).join(', ')}`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, tokens: true, options: OPTIONS });
  } catch (e) {
    fail(`${(e as Error).message}; see hysac-gateway ${command} --help`);
  }
  const { values, positionals, tokens } = parsed;
  if (values.help) {
    process.stdout.write(await usage(command));
    return;
  }
  for (const t of tokens) {
    if (t.kind === 'option' && t.name !== 'help' && !ALLOWED[command].includes(t.name as keyof typeof OPTIONS)) {
      fail(`${command} does not take ${t.rawName}; allowed: ${ALLOWED[command].map((o) => `--${o}`).join(', ')}`);
    }
  }
  const noPositionals = () => {
    if (positionals.length) fail(`${command} takes no texts (got ${JSON.stringify(positionals[0])}); see hysac-gateway ${command} --help`);
  };
  const overrides = values.bundle ? { modelDir: path.resolve(values.bundle) } : {};

  if (command === 'demo-backend') {
    noPositionals();
    return (await import('./cli/demo')).runDemoBackend(values);
  }
  if (command === 'demo') {
    noPositionals();
    return (await import('./cli/demo')).runDemo(values, overrides);
  }
  const { resolveConfig } = await import('./config');
  const env = { ...process.env, ...(values.port !== undefined ? { PORT: values.port } : {}), ...(values.host !== undefined ? { HOST: values.host } : {}) };
  if (command === 'serve') {
    noPositionals();
    return (await import('./cli/serve')).runServe(resolveConfig(env, overrides));
  }

  let inputs;
  try {
    inputs = await collectInputs(tokens, { images: command !== 'tokenize', stdinIsTty: process.stdin.isTTY === true });
  } catch (e) {
    if (e instanceof InputError) fail(e.message);
    throw e;
  }
  if (command === 'tokenize') {
    const texts = inputs.flatMap((i) => (i.kind === 'text' ? [i.text] : []));
    if (texts.length === 0) fail('tokenize needs texts (arguments, --file FILE, or lines on stdin); see hysac-gateway tokenize --help');
    return (await import('./cli/tokenize')).runTokenize(values, texts);
  }
  if (inputs.length === 0) fail(`${command} needs texts (arguments, --file FILE, or lines on stdin) or --image FILE; see hysac-gateway ${command} --help`);
  const config = resolveConfig(env, overrides);
  const { REDIRECT_STRATEGIES } = await import('./safety/service');
  const strategy = (values.strategy ?? config.redirectStrategy).toUpperCase() as (typeof REDIRECT_STRATEGIES)[number];
  if (!REDIRECT_STRATEGIES.includes(strategy)) fail(`--strategy ${values.strategy} is not known; allowed: ${REDIRECT_STRATEGIES.join(', ')}`);
  await (await import('./cli/batch')).runBatch(command as 'classify' | 'embed' | 'redirect', config, inputs, strategy);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    // A GatewayError (config, bundle) has a stable code and a message that says what is allowed: one line.
    const err = e as { code?: unknown; message?: string; stack?: string };
    const coded = e instanceof Error && e.name === 'GatewayError' && typeof err.code === 'string';
    fail(coded ? `${err.code}: ${err.message}` : (err.stack ?? String(e)), 1);
  });
}
