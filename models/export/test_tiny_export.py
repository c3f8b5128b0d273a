#!/usr/bin/env python3
"""
The exporter's whole path on a tiny, randomly initialised HySAC:

    python3 models/export/test_tiny_export.py [--out DIR] [--merges bpe_simple_vocab_16e6.txt.gz]

builds CLIPTextModelWithProjection + CLIPVisionModelWithProjection of the ViT-L/14 architecture at toy size
(2 layers, width 32, patch 32 on 224, projection 16, the real 49408-token vocabulary), wraps them exactly as
HySAC does (hysac_model.build_towers: peft LoRA r=16, alpha 1, HySAC's target modules; `textual_alpha`,
`visual_alpha`, `curv`), gives the LoRA matrices random values (peft starts B at zero, which would make merging
a no-op), sets alpha and c away from 1, and runs hysac_to_bundle.export_bundle on it: reference embeddings,
merge, ONNX export, ONNX Runtime agreement (<= 1e-4 on lifted embeddings), bounds from a HySAC-format
hysac_bounds.json + measured pairs, the int8 variant. Also checks the checkpoint key remapping both ways.

Needs torch, transformers, peft, onnx, onnxruntime, numpy, pillow (requirements.txt) and OpenAI's CLIP merges
file (default: ../shared/eval/clip_tokenizer/bpe_simple_vocab_16e6.txt.gz beside the repository). Exit 0 = pass,
1 = fail, 77 = skipped (something missing; the message says what). The last stdout line is a JSON summary
({"bundle": DIR, ...}) for test/hysac-layout/exporter.test.ts, which serves the bundle with the gateway.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

NEEDED = ("torch", "transformers", "peft", "onnx", "onnxruntime", "numpy", "PIL")
SKIP = 77


def skip(msg: str) -> None:
    print(f"SKIP: {msg}")
    sys.exit(SKIP)


def tiny_hysac(seed: int = 0):
    import torch
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection, CLIPVisionConfig, CLIPVisionModelWithProjection

    import hysac_model

    torch.manual_seed(seed)
    # eos_token_id=2 as in openai/clip-vit-large-patch14's config: the pooled token is argmax(input_ids) (EOT).
    tc = CLIPTextConfig(vocab_size=49408, hidden_size=32, intermediate_size=64, projection_dim=16, num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=77, bos_token_id=0, eos_token_id=2, pad_token_id=1)
    vc = CLIPVisionConfig(hidden_size=32, intermediate_size=64, projection_dim=16, num_hidden_layers=2, num_attention_heads=4, image_size=224, patch_size=32)
    for cfg in (tc, vc):
        try:
            cfg._attn_implementation = "eager"
        except Exception:
            pass
    model = hysac_model.build_towers(CLIPTextModelWithProjection(tc), CLIPVisionModelWithProjection(vc), embed_dim=16)
    with torch.no_grad():
        lora = [p for n, p in model.named_parameters() if "lora_" in n]
        assert lora, "peft added no LoRA parameters"
        for p in lora:
            p.normal_(0.0, 0.5)
        model.textual_alpha.fill_(math.log(0.8))
        model.visual_alpha.fill_(math.log(0.6))
        model.curv.fill_(math.log(0.5))
    return model.eval()


def check_lora_active(model) -> None:
    """The adapters change the outputs (else merging would prove nothing)."""
    import torch

    ids = torch.tensor([[49406, 320, 1125, 539, 320, 2368, 49407] + [49407] * 70])
    with torch.no_grad():
        on = model.text_tangent(ids)
        with model.textual.disable_adapter():
            off = model.text_tangent(ids)
    diff = float((on - off).abs().max())
    assert diff > 1e-3, f"LoRA adapters change the text output by only {diff}"
    print(f"LoRA active: text output changes by {diff:.3e} with the adapters")


def check_remap(model) -> None:
    """hysac_model.load_checkpoint accepts the state dict in the installed peft's layout and in the other one."""
    import torch

    import hysac_model

    state = {k: v.clone() for k, v in model.state_dict().items()}
    has_base = any(".base_layer." in k for k in state)
    if has_base:
        # the layout the reference loader produces for old peft: no base_layer., a zero patch bias
        other = {k.replace("base_layer.", ""): v for k, v in state.items()}
        other["visual.base_model.model.vision_model.embeddings.patch_embedding.bias"] = torch.zeros(32)
    else:
        other = {hysac_model._with_base_layer(k) if (".lora_" not in k and any(f".{t}." in k for t in hysac_model.LORA_TARGETS)) else k: v for k, v in state.items()}
    fresh = tiny_hysac(seed=1)
    notes = hysac_model.load_checkpoint(fresh, other)
    ids = torch.tensor([[49406, 320, 2368, 49407] + [0] * 73])
    with torch.no_grad():
        same = float((fresh.lift_text(ids) - model.lift_text(ids)).abs().max())
    assert same == 0.0, f"remapped checkpoint gives other outputs ({same})"
    print(f"checkpoint remap ({'base_layer -> plain' if has_base else 'plain -> base_layer'}): {'; '.join(notes)}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--merges", default=os.path.join(os.path.dirname(REPO), "shared", "eval", "clip_tokenizer", "bpe_simple_vocab_16e6.txt.gz"))
    args = ap.parse_args()

    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if missing:
        skip(f"Python packages missing: {', '.join(missing)} (pip install -r models/export/requirements.txt)")
    if not os.path.isfile(args.merges):
        skip(f"{args.merges} is missing (OpenAI's CLIP merges, from ../shared/eval/clip_tokenizer)")

    import numpy as np
    from transformers import CLIPImageProcessor, CLIPTokenizer

    import bundle_writer as bw
    import hysac_to_bundle as ex

    work = tempfile.mkdtemp(prefix="tiny-hysac-")
    out = args.out or os.path.join(work, "bundle")
    vocab, merges = bw.openai_bpe_to_hf(args.merges, os.path.join(work, "tok"))
    tokenizer = CLIPTokenizer(vocab_file=vocab, merges_file=merges)
    processor = CLIPImageProcessor()  # defaults = openai/clip-vit-large-patch14's: 224, bicubic, CLIP mean/std

    def tokenize(texts):
        return np.asarray(tokenizer(list(texts), padding="max_length", truncation=True, max_length=77, return_tensors="np")["input_ids"], dtype=np.int64)

    def preprocess(images):
        return np.asarray(processor(images=images, return_tensors="np")["pixel_values"], dtype=np.float32)

    model = tiny_hysac()
    check_lora_active(model)
    check_remap(model)

    # A bounds file in HySAC's format: only what the reference reads (S/V up_95), at plausible values for this model.
    import torch

    with torch.no_grad():
        d_text = ex.distances_np(model.lift_text(torch.from_numpy(tokenize(ex.DEFAULT_PROMPTS))).double().numpy(), 0.5)
        d_img = ex.distances_np(model.lift_image(torch.from_numpy(preprocess(ex.synthetic_images()))).double().numpy(), 0.5)
    bounds_raw = {"S": {"up_95": float(np.quantile(d_text, 0.95))}, "V": {"up_95": float(np.quantile(d_img, 0.95))}}

    pairs = os.path.join(REPO, "models", "hysac-mini", "data", "pairs.tsv")
    src = ex.ExportSource(
        model=model,
        tokenize=tokenize,
        preprocess=preprocess,
        preprocess_spec=ex.preprocess_spec_from(processor),
        tokenizer_spec={"type": "clip-bpe", "merges": "merges.txt", "vocab": "vocab.json", "contextLength": 77},
        tokenizer_files={"vocab.json": vocab, "merges.txt": merges},
        bounds_raw=bounds_raw,
        source="tiny random HySAC-shaped model (models/export/test_tiny_export.py)",
        license="MIT",
        notes=["TEST: random weights"],
    )
    opts = ex.ExportOptions(
        out=out,
        name="tiny-hysac-test",
        description="TEST bundle from a tiny random HySAC-shaped model; no safety value",
        rebuild="python3 models/export/test_tiny_export.py",
        quantize="int8",
        threshold_rule="midpoint",
        calibration_pairs=pairs if os.path.isfile(pairs) else None,
        calibration_limit=64,
        force=True,
        fixture=True,
        bounds_override=None if os.path.isfile(pairs) else {g: {"mean": 1.0, "p5": 0.5, "p95": 1.5} for g in bw.GROUPS},
    )
    result = ex.export_bundle(src, opts)

    m = result.manifest
    geo = model.geometry()
    assert m["outputs"] == "tangent" and m["embeddingDim"] == 16
    assert m["alpha"] == {"text": geo["alpha_text"], "image": geo["alpha_image"]} and abs(m["alpha"]["text"] - 0.8) < 1e-6 and abs(m["alpha"]["image"] - 0.6) < 1e-6
    assert abs(m["curvature"] - 0.5) < 1e-6
    assert m["text"]["tokenizer"] == {"type": "clip-bpe", "merges": "merges.txt", "vocab": "vocab.json", "contextLength": 77}
    assert m["image"]["preprocess"]["size"] == 224 and m["image"]["preprocess"]["kernel"] == "cubic"
    for name, digest in m["provenance"]["files"].items():
        assert bw.sha256_file(os.path.join(out, name)) == digest, name
    worst = result.report["agreement_fp32_worst"]
    assert worst <= 1e-4, worst
    assert result.variant_manifest is not None and os.path.isfile(os.path.join(out + "-int8", "text.onnx"))

    # The exported graph takes other batch sizes than the one it was traced with.
    sess = ex.ort_session(os.path.join(out, "text.onnx"))
    for n in (1, 3, 7):
        y = sess.run(None, {"input_ids": ex.gateway_padding(tokenize(["a cat"] * n))})[0]
        assert y.shape == (n, 16), y.shape

    # A bundle refused by the agreement check is not written.
    bad_out = os.path.join(work, "refused")
    try:
        ex.export_bundle(src.__class__(**{**src.__dict__, "model": tiny_hysac(seed=2)}), ex.ExportOptions(out=bad_out, tolerance=-1.0, bounds_override=opts.bounds_override or {g: {"mean": 1.0, "p5": 0.5, "p95": 1.5} for g in bw.GROUPS}), log=lambda s: None)
        raise AssertionError("a negative tolerance must refuse the export")
    except bw.ExportError as e:
        assert not os.path.exists(bad_out), "a refused export left files"
        print(f"refusal works: {str(e)[:100]}")

    print(json.dumps({"bundle": out, "variant": out + "-int8", "agreement_fp32_worst": worst, "agreement_int8": result.report["agreement_int8"], "threshold": m["threshold"], "bounds": m["bounds"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
