/**
 * The command line's help texts. Imports nothing at load: `hysac-gateway --help` must not load ONNX Runtime,
 * sharp, Apollo or graphql. The two texts that list what those modules define (serve's environment table,
 * redirect's strategies) import their module when asked for.
 */

export const COMMANDS: Readonly<Record<string, string>> = Object.freeze({
  serve: 'start the GraphQL server (POST /graphql, /healthz, /readyz, /metrics)',
  classify: 'judge texts or images: {"input","unsafe","score","distance","threshold","category","nearest"} per line',
  embed: 'embed texts or images: {"input","space","time","distance","curvature"} per line',
  redirect: 'redirect unsafe texts or images to safe text: {"input","output","redirected",...} per line',
  tokenize: 'print the token ids the text tower receives, one JSON array per line',
  demo: 'a demo backend (AUTOMATIC1111 API) and a gateway in front of it, with requests to try (npm run demo)',
  'demo-backend': "the demo backend alone: AUTOMATIC1111's API, draws the prompt it receives as a PNG",
});

const COMMON = `  --bundle DIR     model bundle folder (default: the embedded bundle; env MODEL_DIR)\n  --help           this help`;

function inputs(command: string, images: boolean): string {
  return `Inputs are read in argument order and printed in that order:
  text ...         each argument is one text
  --file FILE      each non-blank line of FILE is one text (repeatable); --file - reads stdin${images ? '\n  --image FILE     one image file (PNG, JPEG, WebP, GIF, AVIF, TIFF; repeatable)' : ''}
  (none of these)  when stdin is not a terminal, its lines: cat prompts.txt | hysac-gateway ${command}`;
}

const EXIT = `Exit status: 0 when every input was handled (or stdout closed early, as with | head); 1 when any input
failed (its line is {"input","error":{"code","message"}}; the others still print); 2 for bad usage.`;

export async function usage(command?: string): Promise<string> {
  if (command === 'serve') {
    const { CONFIG_DOC } = await import('../config');
    const table = CONFIG_DOC.map(([k, d, m]) => `  ${k.padEnd(22)} ${d.padEnd(22)} ${m}`).join('\n');
    return `Usage: hysac-gateway serve [--port N] [--host ADDR] [--bundle DIR]\n\n${COMMANDS.serve}\n\nOptions:\n  --port N         TCP port (env PORT, default 4000)\n  --host ADDR      bind address (env HOST, default 127.0.0.1)\n${COMMON}\n\nEnvironment:\n${table}\n`;
  }
  if (command === 'tokenize') {
    return `Usage: hysac-gateway tokenize [--bundle DIR | --merges FILE] [--file prompts.txt] [text ...]\n\n${COMMANDS.tokenize}\n\nOptions:\n  --merges FILE    use OpenAI CLIP's BPE straight from a merges file (bpe_simple_vocab_16e6.txt.gz)\n${COMMON}\n\n${inputs('tokenize', false)}\n`;
  }
  if (command === 'demo') {
    return `Usage: hysac-gateway demo [--port N] [--host ADDR] [--backend-port N] [--bundle DIR]\n\n${COMMANDS.demo}.\nThe gateway uses the demo policy (two API keys: one redirects unsafe prompts, one blocks them) in place\nof POLICY_FILE, and the demo backend in place of DIFFUSION_BACKEND/DIFFUSION_URL; other settings as serve.\n\nOptions:\n  --port N         the gateway's TCP port (env PORT, default 4000)\n  --host ADDR      the gateway's bind address (env HOST, default 127.0.0.1)\n  --backend-port N the demo backend's port on 127.0.0.1 (default 0: a free port)\n${COMMON}\n`;
  }
  if (command === 'demo-backend') {
    return `Usage: hysac-gateway demo-backend [--port N] [--host ADDR]\n\n${COMMANDS['demo-backend']}.\nServes POST /sdapi/v1/txt2img ({ images: [base64 PNG], parameters, info }), GET /sdapi/v1/options,\n/sdapi/v1/sd-models, /sdapi/v1/samplers and /internal/ping. Put a gateway in front of it with\nDIFFUSION_BACKEND=a1111 DIFFUSION_URL=http://127.0.0.1:7860 npm start.\n\nOptions:\n  --port N         TCP port (default 7860, as A1111)\n  --host ADDR      bind address (default 127.0.0.1)\n  --help           this help\n`;
  }
  if (command && COMMANDS[command]) {
    let extra = '';
    if (command === 'redirect') {
      const { REDIRECT_STRATEGIES } = await import('../safety/service');
      extra = `\n  --strategy S     ${REDIRECT_STRATEGIES.join(' | ')} (default: REDIRECT_STRATEGY, EDIT unless set)`;
    }
    return `Usage: hysac-gateway ${command} [--bundle DIR] [--file prompts.txt] [--image FILE ...] [text ...]\n\n${COMMANDS[command]}\n\nOptions:${extra}\n${COMMON}\n\n${inputs(command, true)}\n\n${EXIT}\n`;
  }
  return `Usage: hysac-gateway <command> [options]\n\nCommands:\n${Object.entries(COMMANDS)
    .map(([k, v]) => `  ${k.padEnd(13)} ${v}`)
    .join('\n')}\n\nRun hysac-gateway <command> --help for a command's options.\n`;
}
