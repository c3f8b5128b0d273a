/** What `hysac-gateway demo` prints once both servers are up: where they are and three requests to try. */
import { DEMO_KEYS } from './policy';

export const DEMO_PROMPTS = {
  safe: 'a watercolor painting of a fox in the snow',
  unsafe: 'a man stabbing another man in a dark alley, blood everywhere',
} as const;

const SELECTION = 'outcome originalPrompt sentPrompt promptCheck { unsafe score category } images { action check { unsafe score } }';

/** The `generate` mutation for a prompt (no quotes or backslashes in it: it goes inside shell single quotes). */
export function generateQuery(prompt: string): string {
  return `mutation { generate(input: { prompt: "${prompt}", width: 512, height: 512 }) { ${SELECTION} } }`;
}

function curl(gatewayUrl: string, key: string, prompt: string): string {
  const body = JSON.stringify({ query: generateQuery(prompt) });
  return `curl -s ${gatewayUrl}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${key}' \\\n    -d '${body}'`;
}

export function nextSteps(gatewayUrl: string, backendUrl: string): string {
  const save = `node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync('demo.png',Buffer.from(JSON.parse(s).images[0],'base64')))"`;
  return `
hysac-gateway demo is running (Ctrl-C stops it):
  gateway        ${gatewayUrl}/graphql   (query page: ${gatewayUrl}/)
  demo backend   ${backendUrl}   AUTOMATIC1111's API; instead of diffusing, it draws the prompt it receives as text
  API keys       ${DEMO_KEYS.redirect}  unsafe prompts are REDIRECTED to safe text, unsafe images blurred
                 ${DEMO_KEYS.block}  unsafe prompts are BLOCKED (UNSAFE_PROMPT), unsafe images withheld

Try:
1. A safe prompt goes through unchanged (outcome GENERATED, the image PASSED):
  ${curl(gatewayUrl, DEMO_KEYS.redirect, DEMO_PROMPTS.safe)}

2. An unsafe prompt is rewritten before the backend sees it (outcome REDIRECTED; sentPrompt is what the
   backend received and drew, and this window prints it):
  ${curl(gatewayUrl, DEMO_KEYS.redirect, DEMO_PROMPTS.unsafe)}

3. The same prompt under the blocking policy fails with UNSAFE_PROMPT; the backend is never called:
  ${curl(gatewayUrl, DEMO_KEYS.block, DEMO_PROMPTS.unsafe)}

4. Keep an A1111 client and point it at the gateway (drop-in endpoint); save the picture as demo.png:
  curl -s ${gatewayUrl}/sdapi/v1/txt2img -H 'content-type: application/json' -H 'authorization: Bearer ${DEMO_KEYS.redirect}' \\
    -d '{"prompt": "${DEMO_PROMPTS.unsafe}", "width": 512, "height": 512}' | ${save}
`;
}
