/**
 * The page served at GET / and to browsers at GET /graphql: a small offline query editor. Nothing on it
 * loads from the internet (Apollo's default landing page would pull Apollo Sandbox from a CDN).
 */
export function landingPage(modelName: string, fixture: boolean): string {
  const example = `query {
  classify(input: { text: "a watercolor painting of a fox in the snow" }) {
    unsafe score distance threshold
    nearest { text category distance }
  }
  redirect(input: { text: "a bloody corpse in the street" }) {
    output redirected
  }
  model { name fixture curvature embeddingDim }
}`;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hysac-gateway</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
textarea,pre{width:100%;box-sizing:border-box;font:13px ui-monospace,monospace}
textarea{height:16rem}pre{background:#f4f4f4;padding:1rem;min-height:8rem;white-space:pre-wrap}
button{font-size:14px;padding:.4rem 1rem}.warn{color:#a00}
</style></head><body>
<h1>hysac-gateway</h1>
<p>Serving model <b>${esc(modelName)}</b>${fixture ? ' <span class="warn">(a test fixture with hand-set weights: not a safety model)</span>' : ''}.
POST GraphQL to <code>/graphql</code> with <code>content-type: application/json</code>. Health: <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a>.</p>
<textarea id="q">${esc(example)}</textarea>
<p><button id="run">Run</button></p>
<pre id="out"></pre>
<script>
document.getElementById('run').onclick = async () => {
  const out = document.getElementById('out');
  out.textContent = '...';
  try {
    const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: document.getElementById('q').value }) });
    out.textContent = JSON.stringify(await r.json(), null, 2);
  } catch (e) { out.textContent = String(e); }
};
</script></body></html>`;
}
