#!/usr/bin/env python3
"""
hysac_to_bundle.export_bundle end to end with a stand-in model, for machines that have torch and onnx but not
transformers / peft / onnxruntime (Debian packages python3-torch and python3-onnx, for instance):

    python3 models/export/test_export_core.py --out DIR [--merges bpe_simple_vocab_16e6.txt.gz]

The stand-in has HySAC's parameter layout (hysac_model.HySACModules: `textual`, `visual`, `textual_alpha`,
`visual_alpha`, `curv`) around two small towers with CLIP's interfaces (`text_embeds` read at argmax(ids), the EOT
position, after a causal cumulative mean; `image_embeds` from a 32 x 32 patch convolution). Everything else is the
exporter's own code: reference lift, ONNX export (opset 17, dynamic batch), the agreement check (<= 1e-4),
measured bounds + a HySAC-format hysac_bounds.json, thresholds, the bundle writer, and the refusal path. When
Python's onnxruntime is missing, the ONNX graphs run in the gateway's onnxruntime-node (node_modules) through a
small node script instead. Also checks hysac_model.remap_checkpoint both ways.

Exit 0 = pass, 77 = skipped (the message says what is missing). The last stdout line is a JSON summary.
test_tiny_export.py is the real thing (transformers' CLIP + peft); this covers the rest where it cannot run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
SKIP = 77

NODE_RUNNER = r"""
const ort = require(process.argv[1]);
const fs = require('fs');
(async () => {
  const [model, name, dtype, dimsJson, inFile, outFile] = process.argv.slice(2);
  const buf = fs.readFileSync(inFile);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab);
  const s = await ort.InferenceSession.create(model);
  const out = await s.run({ [name]: new ort.Tensor(dtype, data, JSON.parse(dimsJson)) });
  const t = out[s.outputNames[0]];
  fs.writeFileSync(outFile, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  process.stdout.write(JSON.stringify(t.dims));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def skip(msg: str) -> None:
    print(f"SKIP: {msg}")
    sys.exit(SKIP)


def use_onnxruntime_node(ex) -> None:
    """Replaces hysac_to_bundle's ONNX Runtime calls with the gateway's onnxruntime-node."""
    import numpy as np

    ort_node = os.path.join(REPO, "node_modules", "onnxruntime-node")
    node = shutil.which("node")
    if not (node and os.path.isdir(ort_node)):
        skip("neither Python's onnxruntime nor node + node_modules/onnxruntime-node (npm install) is available")

    def session(path):
        return path

    def run(path, name, data, batch=32):
        data = np.ascontiguousarray(data)
        with tempfile.TemporaryDirectory() as d:
            inf, outf = os.path.join(d, "in.bin"), os.path.join(d, "out.bin")
            data.tofile(inf)
            dtype = "int64" if data.dtype == np.int64 else "float32"
            r = subprocess.run([node, "-e", NODE_RUNNER, ort_node, path, name, dtype, json.dumps(list(data.shape)), inf, outf], capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"onnxruntime-node failed: {r.stderr[-2000:]}")
            return np.fromfile(outf, dtype=np.float32).reshape(json.loads(r.stdout))

    ex.ort_session, ex.ort_run = session, run


def stand_in(seed: int = 0):
    import torch
    from torch import nn

    import hysac_model

    class Out:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    class Text(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding = nn.Embedding(49408, 12)
            self.k_proj = nn.Linear(12, 12)
            self.text_projection = nn.Linear(12, 8, bias=False)

        def forward(self, input_ids):
            h = torch.tanh(self.k_proj(self.token_embedding(input_ids)))
            eot = input_ids.to(torch.int).argmax(dim=-1)  # CLIP's pooling position (legacy eos_token_id == 2)
            causal_mean = torch.cumsum(h, dim=1) / torch.arange(1, h.shape[1] + 1, dtype=h.dtype).view(1, -1, 1)
            return Out(text_embeds=self.text_projection(causal_mean[torch.arange(h.shape[0]), eot]))

    class Vision(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch_embedding = nn.Conv2d(3, 12, kernel_size=32, stride=32, bias=False)
            self.fc1 = nn.Linear(12, 12)
            self.visual_projection = nn.Linear(12, 8, bias=False)

        def forward(self, pixel_values):
            x = self.patch_embedding(pixel_values).flatten(2).mean(dim=2)
            return Out(image_embeds=self.visual_projection(torch.tanh(self.fc1(x))))

    torch.manual_seed(seed)
    model = hysac_model.HySACModules(visual=Vision(), textual=Text(), embed_dim=8)
    with torch.no_grad():
        model.textual_alpha.fill_(math.log(0.8))
        model.visual_alpha.fill_(math.log(0.6))
        model.curv.fill_(math.log(0.5))
    return model.eval()


def check_remap() -> str:
    import torch

    import hysac_model

    new_layout = {"textual.base_model.model.l.k_proj.base_layer.weight": torch.zeros(2), "textual.base_model.model.l.k_proj.lora_A.default.weight": torch.zeros(2), "visual.base_model.model.e.patch_embedding.base_layer.weight": torch.zeros(2), "curv": torch.zeros(())}
    old_ckpt = {k.replace("base_layer.", ""): torch.ones(2) for k in new_layout}
    old_ckpt["visual.base_model.model.e.patch_embedding.bias"] = torch.zeros(2)
    old_ckpt["textual.base_model.model.text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0)
    out, notes = hysac_model.remap_checkpoint(old_ckpt, new_layout)
    assert sorted(out) == sorted(new_layout), sorted(out)
    old_layout = {k.replace("base_layer.", ""): v for k, v in new_layout.items()}
    old_layout["visual.base_model.model.e.patch_embedding.bias"] = torch.ones(2)
    out2, _ = hysac_model.remap_checkpoint({k: torch.ones(2) for k in new_layout}, old_layout)
    assert sorted(out2) == sorted(old_layout) and float(out2["visual.base_model.model.e.patch_embedding.bias"].abs().sum()) == 0
    try:
        hysac_model.remap_checkpoint({"bogus": torch.ones(1)}, new_layout)
        raise AssertionError("an unknown key must be refused")
    except KeyError:
        pass
    return "; ".join(notes)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--merges", default=os.path.join(os.path.dirname(REPO), "shared", "eval", "clip_tokenizer", "bpe_simple_vocab_16e6.txt.gz"))
    args = ap.parse_args()
    missing = [m for m in ("torch", "onnx", "numpy", "PIL") if importlib.util.find_spec(m) is None]
    if missing:
        skip(f"Python packages missing: {', '.join(missing)}")
    if not os.path.isfile(args.merges):
        skip(f"{args.merges} is missing (OpenAI's CLIP merges, from ../shared/eval/clip_tokenizer)")

    import numpy as np

    import bundle_writer as bw
    import hysac_to_bundle as ex

    backend = "onnxruntime (Python)"
    if importlib.util.find_spec("onnxruntime") is None:
        use_onnxruntime_node(ex)
        backend = "onnxruntime-node (node_modules)"

    print(f"checkpoint remap: {check_remap()}")

    def tokenize(texts):
        """Stand-in ids with the reference tokenizer's row shape: SOT, word ids, EOT, EOT-padded to 77."""
        out = np.full((len(texts), 77), 49407, dtype=np.int64)
        for i, t in enumerate(texts):
            words = t.split()[:75]
            out[i, 0] = 49406
            out[i, 1 : 1 + len(words)] = [sum(map(ord, w)) * 7919 % 49000 + 1 for w in words]
        return out

    def preprocess(images):
        return np.stack([(np.asarray(im.convert("RGB").resize((224, 224)), dtype=np.float32).transpose(2, 0, 1) / 255 - 0.5) / 0.5 for im in images])

    spec = {"size": 224, "resize": "shortest-side", "crop": "center", "kernel": "cubic", "scale": 255.0, "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711], "layout": "NCHW", "background": [255, 255, 255]}
    merges_name = os.path.basename(args.merges)
    src = ex.ExportSource(
        model=stand_in(),
        tokenize=tokenize,
        preprocess=preprocess,
        preprocess_spec=spec,
        tokenizer_spec={"type": "clip-bpe", "merges": merges_name, "contextLength": 77},
        tokenizer_files={merges_name: args.merges},
        bounds_raw={"S": {"up_95": 0.9}, "V": {"up_95": 0.7}},
        source="stand-in model with HySAC's parameter layout (models/export/test_export_core.py)",
        license="MIT",
        notes=["TEST: stand-in towers, random weights"],
    )
    pairs = os.path.join(REPO, "models", "hysac-mini", "data", "pairs.tsv")
    override = None if os.path.isfile(pairs) else {g: {"mean": 1.0, "p5": 0.5, "p95": 1.5} for g in bw.GROUPS}
    opts = ex.ExportOptions(out=args.out, name="export-core-test", description="TEST bundle: stand-in model, no safety value", rebuild="python3 models/export/test_export_core.py", calibration_pairs=pairs if override is None else None, calibration_limit=48, bounds_override=override, force=True, fixture=True)
    result = ex.export_bundle(src, opts)

    m = result.manifest
    assert m["outputs"] == "tangent" and m["embeddingDim"] == 8, m
    assert abs(m["alpha"]["text"] - 0.8) < 1e-6 and abs(m["alpha"]["image"] - 0.6) < 1e-6 and abs(m["curvature"] - 0.5) < 1e-6
    assert result.report["agreement_fp32_worst"] <= 1e-4
    for name, digest in m["provenance"]["files"].items():
        assert bw.sha256_file(os.path.join(args.out, name)) == digest, name
    if override is None:
        assert "hysac_bounds.json S.up_95" in m["provenance"]["notes"] and "derived" in m["provenance"]["notes"]
        assert m["bounds"]["safeText"]["p95"] == 0.9 and m["bounds"]["safeImage"]["p95"] == 0.7
        # the default rule is HySAC's boundary on S.up_95 / V.up_95
        assert m["threshold"]["text"] == round(bw.hysac_threshold(0.9, m["curvature"]), 4)

    refused = args.out.rstrip("/") + "-refused"
    try:
        ex.export_bundle(src.__class__(**{**src.__dict__, "model": stand_in(1)}), ex.ExportOptions(out=refused, tolerance=-1.0, bounds_override={g: {"mean": 1.0, "p5": 0.5, "p95": 1.5} for g in bw.GROUPS}), log=lambda s: None)
        raise AssertionError("a negative tolerance must refuse the export")
    except bw.ExportError:
        assert not os.path.exists(refused), "a refused export left files"

    print(json.dumps({"bundle": args.out, "backend": backend, "agreement_fp32_worst": result.report["agreement_fp32_worst"], "threshold": m["threshold"], "bounds": m["bounds"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
