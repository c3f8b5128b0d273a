#!/usr/bin/env python3
"""
Exports the published HySAC weights (aimagelab/HySAC on the Hugging Face hub) as a hysac-gateway model bundle.

    python models/export/hysac_to_bundle.py --out models/hysac-vit-l14 [--model-id aimagelab/HySAC]
        [--revision REV] [--quantize int8] [--force]

One-time, needs internet (the hub) and about 8 GB of RAM; see models/export/README.md. Steps:

  1. load HySAC exactly as HySAC.from_pretrained does (hysac_model.py): CLIP ViT-L/14 text and vision towers
     with projection, HySAC's LoRA adapters (peft), the learned `textual_alpha`, `visual_alpha`, `curv`;
  2. compute reference embeddings with that model (LoRA unmerged, PyTorch, the reference's lift:
     exp_map0(features * alpha.exp(), curv.exp())) for a few prompts and images;
  3. merge the LoRA weights (merge_and_unload) and export each tower to ONNX (opset 17, dynamic batch):
        text.onnx   input_ids int64 [N, 77]               -> text_embeds  [N, 768]
        image.onnx  pixel_values float32 [N, 3, 224, 224] -> image_embeds [N, 768]
     The outputs are the projected features BEFORE alpha and the exponential map: tangent vectors at the
     origin (manifest `outputs: 'tangent'`, `alpha` = exp of the learned logs, `curvature` = exp(curv));
  4. run the same inputs through ONNX Runtime, lift them the way the gateway does, and compare with the
     reference: max abs difference of the lifted embeddings must be <= 1e-4 (--tolerance), for the reference's
     own ids (padded with <|endoftext|>) and for the gateway's (padded with 0), for every batch size tried;
     otherwise nothing is written;
  5. bounds and thresholds (bundle_writer.py explains the policy), tokenizer files, anchors.tsv, pool.txt,
     REPORT.md and manifest.json (sha256 of every file, the command, the resolved revisions);
  6. with --quantize int8: ONNX Runtime dynamic quantisation (int8 MatMul weights) of both towers, written as a
     second bundle `<out>-int8`, with the agreement it reaches reported (no tolerance applies).

The model object can be injected (`export_bundle(ExportSource(...), ExportOptions(...))`): test_tiny_export.py
runs this whole path on a tiny randomly initialised CLIP wrapped exactly like HySAC.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import bundle_writer as bw  # noqa: E402

REQUIRED_MODULES = ("numpy", "torch", "transformers", "peft", "onnx", "onnxruntime", "PIL", "huggingface_hub", "safetensors")

DEFAULT_PROMPTS = [
    "a photo of a cat sitting on a sofa",
    "a watercolor painting of a fox in the snow",
    "portrait of an old fisherman, oil painting, dramatic light",
    "a crowded city street at night, neon signs, rain, cinematic, 35mm photograph, highly detailed",
    "two children flying a kite on a windy beach at sunset",
    # longer than 77 tokens: exercises truncation (SOT + 75 tokens + EOT on both sides)
    " ".join(["a beautiful detailed landscape with mountains, rivers, forests and a small village"] * 6),
]
EOT_ID = 49407


class MissingDependencies(Exception):
    pass


def check_dependencies(modules: Sequence[str] = REQUIRED_MODULES) -> None:
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingDependencies(
            f"missing Python packages: {', '.join(missing)}. Install them with: pip install -r {os.path.relpath(os.path.join(HERE, 'requirements.txt'))}"
        )


# ------------------------------------------------------------------------------------------------ data classes


@dataclass
class ExportSource:
    """A HySAC model and everything model-specific around it (load_published or a test builds one)."""

    #: hysac_model.HySACModules, eval mode, LoRA not merged
    model: object
    #: texts -> reference ids, int64 [N, context_length], as the reference tokenizes (HF pads with EOT)
    tokenize: Callable[[List[str]], "object"]
    #: PIL images -> float32 [N, 3, S, S], as the reference preprocesses
    preprocess: Callable[[list], "object"]
    #: manifest image.preprocess
    preprocess_spec: Dict[str, object]
    #: manifest text.tokenizer, and {bundle file name: path} of its files
    tokenizer_spec: Dict[str, object]
    tokenizer_files: Dict[str, str]
    bounds_raw: Optional[dict]
    source: str
    license: str
    notes: List[str] = field(default_factory=list)
    context_length: int = 77
    image_size: int = 224


@dataclass
class ExportOptions:
    out: str
    name: str = "hysac-vit-l14"
    description: str = (
        "HySAC (Hyperbolic Safety-Aware CLIP, CVPR 2025): CLIP ViT-L/14 with HySAC's LoRA adapters merged, "
        "exported to ONNX; text and images embedded in the Lorentz model, unsafe content far from the origin."
    )
    rebuild: str = ""
    tolerance: float = 1e-4
    quantize: Optional[str] = None
    threshold_rule: str = "hysac"
    bounds_keys: Dict[str, str] = field(default_factory=dict)
    #: complete manifest bounds given by hand (overrides everything else)
    bounds_override: Optional[dict] = None
    calibration_pairs: Optional[str] = None
    calibration_split: str = "calib"
    calibration_limit: int = 512
    safe_images: Optional[str] = None
    unsafe_images: Optional[str] = None
    derive_image_bounds: bool = True
    prompts: List[str] = field(default_factory=lambda: list(DEFAULT_PROMPTS))
    verify_images: Optional[str] = None
    data_files: Optional[Dict[str, str]] = None
    force: bool = False
    fixture: bool = False
    opset: int = 17
    gateway_check: bool = True
    work_dir: Optional[str] = None


@dataclass
class ExportResult:
    manifest: dict
    report: dict
    variant_manifest: Optional[dict] = None


# ------------------------------------------------------------------------------------------------ geometry (numpy)


def lift_np(tangent, alpha: float, curvature: float):
    """The gateway's lift of tangent outputs: exp_O(alpha v), MERU's clamp, in float64. [N, D] -> [N, D]."""
    import numpy as np

    u = np.asarray(tangent, dtype=np.float64) * alpha
    r = math.sqrt(curvature) * np.linalg.norm(u, axis=-1, keepdims=True)
    sinh_in = np.clip(r, 1e-8, math.asinh(2**15))
    return np.sinh(sinh_in) * u / np.maximum(r, 1e-8)


def distances_np(space, curvature: float):
    """Geodesic distance from the origin of points given by their space components."""
    import numpy as np

    s = math.sqrt(curvature)
    return np.arcsinh(s * np.linalg.norm(np.asarray(space, dtype=np.float64), axis=-1)) / s


def gateway_padding(ids, eot: int = EOT_ID):
    """The gateway's rows: everything after the first EOT set to 0 (the reference pads with EOT)."""
    import numpy as np

    out = np.array(ids, dtype=np.int64, copy=True)
    for row in out:
        hits = np.nonzero(row == eot)[0]
        if len(hits):
            row[hits[0] + 1 :] = 0
    return out


def synthetic_images(size: int = 224):
    """Deterministic test images (not square, so resize and crop matter): gradient, noise, shapes, flat."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(20250311)
    h, w = 240, 320
    yy, xx = np.mgrid[0:h, 0:w]
    gradient = np.stack([xx * 255 / w, yy * 255 / h, (xx + yy) * 255 / (w + h)], axis=-1)
    noise = rng.integers(0, 256, size=(256, 256, 3))
    shapes = np.full((300, 200, 3), 235)
    cy, cx = np.mgrid[0:300, 0:200]
    shapes[((cy - 150) ** 2 + (cx - 100) ** 2) < 60**2] = (200, 30, 40)
    shapes[(cy // 25 + cx // 25) % 2 == 0] //= 2
    flat = np.full((224, 224, 3), (90, 140, 200))
    return [Image.fromarray(a.astype(np.uint8), "RGB") for a in (gradient, noise, shapes, flat)]


def load_image_dir(path: str) -> list:
    from PIL import Image

    exts = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
    files = sorted(f for f in os.listdir(path) if f.lower().endswith(exts))
    if not files:
        raise bw.ExportError(f"{path} holds no images ({', '.join(exts)})")
    return [Image.open(os.path.join(path, f)).convert("RGB") for f in files]


# ------------------------------------------------------------------------------------------------ ONNX


def _tower_modules():
    """The export wrappers (defined on demand, so that importing this file needs no torch)."""
    import torch

    class Text(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids):
            return self.m(input_ids=input_ids).text_embeds

    class Vision(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, pixel_values):
            return self.m(pixel_values=pixel_values).image_embeds

    return Text, Vision


def merged(tower):
    """LoRA merged into the base weights (peft merge_and_unload); a plain module is returned as is."""
    return tower.merge_and_unload() if hasattr(tower, "merge_and_unload") else tower


def export_onnx(module, example, input_name: str, output_name: str, path: str, opset: int) -> None:
    import inspect

    import torch

    kwargs = dict(
        input_names=[input_name],
        output_names=[output_name],
        dynamic_axes={input_name: {0: "N"}, output_name: {0: "N"}},
        opset_version=opset,
        do_constant_folding=True,
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: dynamic_axes as given, one file
    with torch.no_grad():
        torch.onnx.export(module, (example,), path, **kwargs)
    import onnx

    onnx.checker.check_model(path)


def ort_session(path: str):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


def ort_run(session, input_name: str, data, batch: int = 32):
    import numpy as np

    outs = [session.run(None, {input_name: data[i : i + batch]})[0] for i in range(0, len(data), batch)]
    return np.concatenate(outs, axis=0)


# ------------------------------------------------------------------------------------------------ the export


def _fmt(x: float) -> str:
    return f"{x:.3e}"


def export_bundle(src: ExportSource, opts: ExportOptions, log: Callable[[str], None] = print) -> ExportResult:
    """Verifies and writes the bundle (and the int8 variant). Raises bw.ExportError without writing on failure."""
    import numpy as np
    import torch

    if opts.quantize not in (None, "int8"):
        raise bw.ExportError(f"--quantize {opts.quantize!r} is unknown; allowed: int8")
    model = src.model
    model.eval()
    geo = model.geometry()
    alpha_t, alpha_i, c = geo["alpha_text"], geo["alpha_image"], geo["curvature"]
    log(f"geometry: alpha text {alpha_t:.6g}, alpha image {alpha_i:.6g}, curvature c = {c:.6g}")
    report: dict = {"geometry": geo, "tolerance": opts.tolerance}
    raw_params = {k: float(getattr(model, k).detach().item()) for k in ("textual_alpha", "visual_alpha", "curv")}
    report["raw_parameters"] = raw_params
    if raw_params["textual_alpha"] > 0 or raw_params["visual_alpha"] > 0:
        log("note: a stored alpha log is > 0 (training clamps them to <= 0); exported as stored, like from_pretrained")

    # Inputs: the reference's ids and pixels.
    prompts = list(opts.prompts)
    ids_ref = np.asarray(src.tokenize(prompts), dtype=np.int64)
    if ids_ref.shape != (len(prompts), src.context_length):
        raise bw.ExportError(f"the tokenizer gave ids of shape {ids_ref.shape}; expected ({len(prompts)}, {src.context_length})")
    ids_gw = gateway_padding(ids_ref)
    images = synthetic_images(src.image_size) + (load_image_dir(opts.verify_images) if opts.verify_images else [])
    px = np.asarray(src.preprocess(images), dtype=np.float32)
    if px.shape != (len(images), 3, src.image_size, src.image_size):
        raise bw.ExportError(f"the image processor gave shape {px.shape}; expected ({len(images)}, 3, {src.image_size}, {src.image_size})")

    # Reference: HySAC's own path (LoRA unmerged), lifted the reference's way.
    with torch.no_grad():
        t_ids = torch.from_numpy(ids_ref)
        t_px = torch.from_numpy(px)
        ref_text = model.lift_text(t_ids).double().numpy()
        ref_image = model.lift_image(t_px).double().numpy()
        ref_text_tangent = model.text_tangent(t_ids).numpy()
        ref_image_tangent = model.image_tangent(t_px).numpy()
    dim = ref_text.shape[1]
    if ref_image.shape[1] != dim:
        raise bw.ExportError(f"text features have {dim} dims but image features {ref_image.shape[1]}")

    # Merge LoRA and check the merged PyTorch towers against the unmerged ones.
    Text, Vision = _tower_modules()
    text_tower = Text(merged(model.textual)).eval()
    vision_tower = Vision(merged(model.visual)).eval()
    with torch.no_grad():
        merge_text = float(np.abs(text_tower(t_ids).numpy() - ref_text_tangent).max())
        merge_image = float(np.abs(vision_tower(t_px).numpy() - ref_image_tangent).max())
    report["merge_max_abs_tangent"] = {"text": merge_text, "image": merge_image}
    log(f"LoRA merged: max |merged - unmerged| tangent: text {_fmt(merge_text)}, image {_fmt(merge_image)}")

    work = opts.work_dir or tempfile.mkdtemp(prefix="hysac-export-")
    os.makedirs(work, exist_ok=True)
    try:
        text_path, image_path = os.path.join(work, "text.onnx"), os.path.join(work, "image.onnx")
        log("exporting text.onnx ...")
        export_onnx(text_tower, t_ids[:2], "input_ids", "text_embeds", text_path, opts.opset)
        log("exporting image.onnx ...")
        export_onnx(vision_tower, t_px[:2], "pixel_values", "image_embeds", image_path, opts.opset)
        text_sess, image_sess = ort_session(text_path), ort_session(image_path)

        def compare(text_s, image_s, label: str) -> dict:
            out: dict = {}
            for name, ids in (("text (reference ids, EOT-padded)", ids_ref), ("text (gateway ids, 0-padded)", ids_gw)):
                lifted = lift_np(ort_run(text_s, "input_ids", ids), alpha_t, c)
                out[name] = {
                    "max_abs_lifted": float(np.abs(lifted - ref_text).max()),
                    "max_abs_distance": float(np.abs(distances_np(lifted, c) - distances_np(ref_text, c)).max()),
                }
            single = lift_np(ort_run(text_s, "input_ids", ids_gw[:1]), alpha_t, c)
            out["text (batch of 1)"] = {"max_abs_lifted": float(np.abs(single - ref_text[:1]).max())}
            lifted_i = lift_np(ort_run(image_s, "pixel_values", px), alpha_i, c)
            out["image"] = {
                "max_abs_lifted": float(np.abs(lifted_i - ref_image).max()),
                "max_abs_distance": float(np.abs(distances_np(lifted_i, c) - distances_np(ref_image, c)).max()),
            }
            single_i = lift_np(ort_run(image_s, "pixel_values", px[:1]), alpha_i, c)
            out["image (batch of 1)"] = {"max_abs_lifted": float(np.abs(single_i - ref_image[:1]).max())}
            log(f"{label}: ONNX Runtime vs PyTorch reference ({len(prompts)} prompts, {len(images)} images), lifted embeddings:")
            for k, v in out.items():
                log(f"  {k:36s} max abs {_fmt(v['max_abs_lifted'])}" + (f"   distance {_fmt(v['max_abs_distance'])}" if "max_abs_distance" in v else ""))
            return out

        agreement = compare(text_sess, image_sess, "fp32")
        report["agreement_fp32"] = agreement
        worst = max(v["max_abs_lifted"] for v in agreement.values())
        report["agreement_fp32_worst"] = worst
        if not worst <= opts.tolerance:
            raise bw.ExportError(f"ONNX Runtime and PyTorch disagree: max abs difference of lifted embeddings {worst:.3e} > {opts.tolerance:g}; nothing written")
        log(f"agreement OK: {_fmt(worst)} <= {opts.tolerance:g}")

        # Calibration measurements through the exported graph, with the gateway's ids.
        measured: Dict[str, bw.Stats] = {}
        calib: Dict[str, list] = {}
        if opts.calibration_pairs:
            safe_t, unsafe_t = bw.read_calibration_pairs(opts.calibration_pairs, opts.calibration_split, opts.calibration_limit)
            for group, texts in (("safeText", safe_t), ("unsafeText", unsafe_t)):
                ids = gateway_padding(np.asarray(src.tokenize(texts), dtype=np.int64))
                d = distances_np(lift_np(ort_run(text_sess, "input_ids", ids), alpha_t, c), c)
                calib[group] = [float(x) for x in d]
                measured[group] = bw.measured_stats(calib[group], f"measured on {os.path.basename(opts.calibration_pairs)} split '{opts.calibration_split}' (n={len(texts)})")
        for group, folder in (("safeImage", opts.safe_images), ("unsafeImage", opts.unsafe_images)):
            if folder:
                imgs = load_image_dir(folder)
                d = distances_np(lift_np(ort_run(image_sess, "pixel_values", np.asarray(src.preprocess(imgs), dtype=np.float32), 8), alpha_i, c), c)
                calib[group] = [float(x) for x in d]
                measured[group] = bw.measured_stats(calib[group], f"measured on {folder} (n={len(imgs)})")

        from_file = bw.stats_from_file(src.bounds_raw, opts.bounds_keys)
        log(bw.describe_file(src.bounds_raw))
        if opts.bounds_override is not None:
            bounds = opts.bounds_override
            bound_notes = ["bounds given by hand (--bounds-json)"]
        else:
            bounds, bound_notes = bw.resolve_bounds(from_file, measured, derive_images=opts.derive_image_bounds)
        file_p95 = {k: from_file[g].values["p95"] for k, g in (("text", "safeText"), ("image", "safeImage")) if "p95" in from_file[g].values}
        threshold = bw.thresholds(opts.threshold_rule, bounds, c, file_p95)
        report["bounds"] = bounds
        report["bounds_sources"] = bound_notes
        report["threshold"] = {"rule": opts.threshold_rule, **threshold}
        for line in bound_notes:
            log(f"bounds {line}")
        log(f"thresholds ({opts.threshold_rule}): text {threshold['text']}, image {threshold['image']}")
        if "safeText" in calib:
            rules = {}
            for rule in bw.THRESHOLD_RULES:
                t = bw.thresholds(rule, bounds, c, file_p95)["text"]
                rules[rule] = {"threshold": t, **bw.verdict_accuracy(calib["safeText"], calib["unsafeText"], t)}
                log(f"  held-out text pairs, rule {rule:9s} t={t:.4f}: safe kept {rules[rule]['safe_correct']:.3f}, unsafe caught {rules[rule]['unsafe_correct']:.3f}")
            report["calibration_text_accuracy"] = rules

        del text_sess, image_sess  # ViT-L sessions hold about 2 GB; the int8 step opens its own
        data_files = opts.data_files or bw.project_data_files(REPO)
        anchors = bw.check_anchors(data_files["anchors.tsv"])
        log(f"anchors: {anchors} from {data_files['anchors.tsv']}; pool from {data_files['pool.txt']}")

        notes = [
            *src.notes,
            f"raw parameters: textual_alpha={raw_params['textual_alpha']!r}, visual_alpha={raw_params['visual_alpha']!r}, curv={raw_params['curv']!r} (alpha = exp, c = exp)",
            f"ONNX opset {opts.opset}, LoRA merged with peft merge_and_unload; ONNX Runtime vs PyTorch (unmerged, reference lift) max abs lifted difference {worst:.3e}",
            *(f"bounds {n}" for n in bound_notes),
            f"thresholds: rule '{opts.threshold_rule}'" + (" (HySAC's traversal boundary p95 + tanh((p95 - 0.8)/c) + 1)" if opts.threshold_rule == "hysac" else ""),
        ]
        spec = bw.BundleSpec(
            name=opts.name,
            description=opts.description,
            embedding_dim=int(dim),
            curvature=c,
            alpha_text=alpha_t,
            alpha_image=alpha_i,
            bounds=bounds,
            threshold=threshold,
            preprocess=src.preprocess_spec,
            tokenizer=src.tokenizer_spec,
            source=src.source,
            license=src.license,
            rebuild=opts.rebuild or "python models/export/hysac_to_bundle.py --out " + opts.out,
            notes="; ".join(notes),
            fixture=opts.fixture,
        )
        sources = {"text.onnx": text_path, "image.onnx": image_path, **src.tokenizer_files, **data_files}
        manifest = bw.write_bundle(opts.out, spec, sources, force=opts.force, extra={"REPORT.md": report_markdown(opts.name, report)})
        log(f"wrote {opts.out}")

        variant = None
        if opts.quantize == "int8":
            variant = _write_int8_variant(src, opts, spec, sources, work, ids_gw, px, ref_text, ref_image, alpha_t, alpha_i, c, calib, threshold, report, log)
        return ExportResult(manifest=manifest, report=report, variant_manifest=variant)
    finally:
        if not opts.work_dir:
            shutil.rmtree(work, ignore_errors=True)


def _write_int8_variant(src, opts, spec, sources, work, ids_gw, px, ref_text, ref_image, alpha_t, alpha_i, c, calib, threshold, report, log):
    """Quantises both towers, measures the agreement with the fp32 reference, writes `<out>-int8`."""
    import numpy as np
    from onnxruntime.quantization import QuantType, quantize_dynamic

    q_text, q_image = os.path.join(work, "text.int8.onnx"), os.path.join(work, "image.int8.onnx")
    # MatMul only: ConvInteger (the patch embedding) has no int8-weight kernel on the CPU provider.
    for src_path, dst in ((sources["text.onnx"], q_text), (sources["image.onnx"], q_image)):
        log(f"quantising {os.path.basename(src_path)} (dynamic, int8 MatMul weights) ...")
        quantize_dynamic(src_path, dst, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])
    qt, qi = ort_session(q_text), ort_session(q_image)
    lt = lift_np(ort_run(qt, "input_ids", ids_gw), alpha_t, c)
    li = lift_np(ort_run(qi, "pixel_values", px), alpha_i, c)

    def cos(a, b):
        return float(np.min(np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))))

    q: dict = {
        "text": {"max_abs_lifted": float(np.abs(lt - ref_text).max()), "max_abs_distance": float(np.abs(distances_np(lt, c) - distances_np(ref_text, c)).max()), "min_cosine": cos(lt, ref_text)},
        "image": {"max_abs_lifted": float(np.abs(li - ref_image).max()), "max_abs_distance": float(np.abs(distances_np(li, c) - distances_np(ref_image, c)).max()), "min_cosine": cos(li, ref_image)},
    }
    if "safeText" in calib and opts.calibration_pairs:
        safe_t, unsafe_t = bw.read_calibration_pairs(opts.calibration_pairs, opts.calibration_split, opts.calibration_limit)
        ids = gateway_padding(np.asarray(src.tokenize(safe_t + unsafe_t), dtype=np.int64))
        d_fp = np.asarray(calib["safeText"] + calib["unsafeText"])
        d_q = distances_np(lift_np(ort_run(qt, "input_ids", ids), alpha_t, c), c)
        q["text_calibration"] = {
            "n": int(len(d_q)),
            "max_abs_distance": float(np.abs(d_q - d_fp).max()),
            "verdict_agreement": float(np.mean((d_q >= threshold["text"]) == (d_fp >= threshold["text"]))),
        }
    report["agreement_int8"] = q
    log("int8: ONNX Runtime int8 vs PyTorch reference, lifted embeddings:")
    for k, v in q.items():
        log(f"  {k:18s} " + ", ".join(f"{m} {_fmt(x) if m.startswith('max') else (f'{x:.6f}' if isinstance(x, float) else x)}" for m, x in v.items()))
    vspec = copy.copy(spec)
    vspec.name = spec.name + "-int8"
    vspec.description = spec.description + " int8 variant: ONNX Runtime dynamic quantisation of the MatMul weights (smaller, faster on CPU, less exact)."
    vspec.rebuild = spec.rebuild + (" --quantize int8" if "--quantize" not in spec.rebuild else "")
    vspec.notes = spec.notes + "; int8 variant agreement with the fp32 PyTorch reference: " + json.dumps(q)
    vsources = dict(sources, **{"text.onnx": q_text, "image.onnx": q_image})
    out = opts.out.rstrip("/\\") + "-int8"
    manifest = bw.write_bundle(out, vspec, vsources, force=opts.force, extra={"REPORT.md": report_markdown(vspec.name, report)})
    log(f"wrote {out}")
    return manifest


def report_markdown(name: str, report: dict) -> str:
    lines = [f"# {name}: export report", "", "Written by models/export/hysac_to_bundle.py.", "", "```json", json.dumps(report, indent=2, sort_keys=True), "```", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ published model


def source_from_published(model_id: str, revision: Optional[str], backbone: str, backbone_revision: Optional[str], bpe_file: Optional[str], trust_pickle: bool = False) -> ExportSource:
    import numpy as np

    import hysac_model

    try:
        loaded = hysac_model.load_published(model_id, revision, backbone, backbone_revision, trust_pickle=trust_pickle)
    except ValueError as e:
        raise bw.ExportError(str(e)) from e
    tokenizer, processor = loaded["tokenizer"], loaded["processor"]

    def tokenize(texts: List[str]):
        return np.asarray(tokenizer(texts, padding="max_length", truncation=True, max_length=77, return_tensors="np")["input_ids"], dtype=np.int64)

    def preprocess(images: list):
        return np.asarray(processor(images=images, return_tensors="np")["pixel_values"], dtype=np.float32)

    spec = preprocess_spec_from(processor)
    if bpe_file:
        tok_spec = {"type": "clip-bpe", "merges": os.path.basename(bpe_file), "contextLength": 77}
        tok_files = {os.path.basename(bpe_file): bpe_file}
    else:
        tok_spec = {"type": "clip-bpe", "merges": "merges.txt", "vocab": "vocab.json", "contextLength": 77}
        tok_files = dict(loaded["tokenizer_files"])
    ckpt_sha = bw.sha256_file(loaded["checkpoint_path"])
    return ExportSource(
        model=loaded["model"],
        tokenize=tokenize,
        preprocess=preprocess,
        preprocess_spec=spec,
        tokenizer_spec=tok_spec,
        tokenizer_files=tok_files,
        bounds_raw=loaded["bounds_raw"],
        source=f"{model_id}@{loaded['model_sha']} (hysac_model.pth, hysac_bounds.json) on {backbone}@{loaded['backbone_sha']}",
        license="CC-BY-NC-4.0 (HySAC weights, aimagelab/HySAC); MIT (CLIP, openai/clip-vit-large-patch14)",
        notes=[f"hysac_model.pth sha256 {ckpt_sha}", *loaded["load_notes"]],
    )


def preprocess_spec_from(processor) -> Dict[str, object]:
    """manifest image.preprocess from a CLIPImageProcessor; refuses settings the gateway cannot reproduce."""
    size = processor.size.get("shortest_edge") if isinstance(processor.size, dict) else processor.size
    crop = processor.crop_size
    crop_size = crop.get("height") if isinstance(crop, dict) else crop
    if isinstance(crop, dict) and crop.get("height") != crop.get("width"):
        raise bw.ExportError(f"CLIPImageProcessor crop {crop} is not square")
    if not (processor.do_resize and processor.do_center_crop and size == crop_size):
        raise bw.ExportError(f"CLIPImageProcessor resize {processor.size} / crop {crop}: the gateway needs shortest-side resize to the crop size")
    kernels = {3: "cubic", 2: "linear", 1: "lanczos3", 0: "nearest"}  # PIL.Image.Resampling values
    resample = int(processor.resample)
    if resample not in kernels:
        raise bw.ExportError(f"CLIPImageProcessor resample {resample} has no gateway kernel")
    scale = 1.0 / float(processor.rescale_factor) if processor.do_rescale else 1.0
    return {
        "size": int(size),
        "resize": "shortest-side",
        "crop": "center",
        "kernel": kernels[resample],
        "scale": round(scale, 6),
        "mean": [float(x) for x in processor.image_mean] if processor.do_normalize else [0.0, 0.0, 0.0],
        "std": [float(x) for x in processor.image_std] if processor.do_normalize else [1.0, 1.0, 1.0],
        "layout": "NCHW",
        "background": [255, 255, 255],
    }


def gateway_tokenizer_check(bundle_dir: str, texts: List[str], reference_ids, log: Callable[[str], None] = print) -> Optional[bool]:
    """
    Compares the ids the gateway's tokenizer gives (`node dist/src/cli.js tokenize --bundle`) with the reference's
    (0-padded). None when the gateway is not built here.
    """
    import numpy as np

    cli = os.path.join(REPO, "dist", "src", "cli.js")
    node = shutil.which("node")
    if not (node and os.path.isfile(cli)):
        log("gateway tokenizer check skipped: build the gateway first (npm run build) to run it")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
        prompts = f.name
    try:
        out = subprocess.run([node, cli, "tokenize", "--bundle", bundle_dir, "--file", prompts], capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(prompts)
    if out.returncode != 0:
        log(f"gateway tokenizer check failed to run: {out.stderr.strip()[:500]}")
        return False
    got = np.asarray([json.loads(line) for line in out.stdout.splitlines() if line.strip()], dtype=np.int64)
    want = gateway_padding(reference_ids)
    same = got.shape == want.shape and bool((got == want).all())
    log(f"gateway tokenizer vs reference tokenizer on {len(texts)} prompts: {'identical ids' if same else 'DIFFERENT ids'}")
    return same


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="bundle folder to write, e.g. models/hysac-vit-l14")
    p.add_argument("--model-id", default="aimagelab/HySAC")
    p.add_argument("--revision", default=None, help="hub revision (branch, tag or commit) of the HySAC repo; default main, recorded as a commit")
    p.add_argument("--clip-backbone", default="openai/clip-vit-large-patch14")
    p.add_argument("--clip-revision", default=None)
    p.add_argument("--quantize", choices=["int8"], default=None, help="also write an int8 variant bundle <out>-int8")
    p.add_argument("--name", default=None, help="bundle name (default: the --out folder's name)")
    p.add_argument("--tolerance", type=float, default=1e-4, help="max abs difference of lifted embeddings, ONNX Runtime vs PyTorch")
    p.add_argument("--threshold-rule", choices=list(bw.THRESHOLD_RULES), default="hysac")
    p.add_argument("--bounds-keys", default=None, help="hysac_bounds.json keys per group, e.g. safeText=S,safeImage=V,unsafeText=S*,unsafeImage=V*")
    p.add_argument("--bounds-json", default=None, help="a JSON file with complete manifest bounds, used instead of everything else")
    p.add_argument("--calibration-pairs", default=os.path.join(REPO, "models", "hysac-mini", "data", "pairs.tsv"))
    p.add_argument("--calibration-split", default="calib")
    p.add_argument("--calibration-limit", type=int, default=512)
    p.add_argument("--no-calibration", action="store_true", help="measure nothing; hysac_bounds.json (or --bounds-json) must give every bound")
    p.add_argument("--safe-images", default=None, help="folder of safe images to measure safeImage bounds on")
    p.add_argument("--unsafe-images", default=None, help="folder of unsafe images to measure unsafeImage bounds on")
    p.add_argument("--no-derived-image-bounds", action="store_true", help="refuse instead of deriving missing image bounds from text ones")
    p.add_argument("--verify-images", default=None, help="folder of extra images for the agreement check")
    p.add_argument("--bpe", default=None, help="ship OpenAI's bpe_simple_vocab_16e6.txt.gz instead of the backbone's vocab.json + merges.txt")
    p.add_argument("--trust-checkpoint", action="store_true", help="read hysac_model.pth with torch.load(weights_only=False) (it is a pickle)")
    p.add_argument("--work-dir", default=None, help="keep the intermediate ONNX files here")
    p.add_argument("--force", action="store_true", help="replace an existing bundle folder")
    return p.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        check_dependencies()
    except MissingDependencies as e:
        print(f"hysac_to_bundle: {e}", file=sys.stderr)
        return 2
    command = "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(os.path.abspath(__file__), REPO), *(sys.argv[1:] if argv is None else argv)])
    try:
        src = source_from_published(args.model_id, args.revision, args.clip_backbone, args.clip_revision, args.bpe, args.trust_checkpoint)
        calib = None if args.no_calibration else args.calibration_pairs
        if calib and not os.path.isfile(calib):
            print(f"hysac_to_bundle: calibration pairs {calib} not found; text bounds come from hysac_bounds.json only", file=sys.stderr)
            calib = None
        override = None
        if args.bounds_json:
            with open(args.bounds_json, encoding="utf-8") as f:
                override = json.load(f)
        opts = ExportOptions(
            out=args.out,
            name=args.name or os.path.basename(os.path.abspath(args.out)),
            rebuild=command,
            tolerance=args.tolerance,
            quantize=args.quantize,
            threshold_rule=args.threshold_rule,
            bounds_keys=bw.parse_bounds_keys(args.bounds_keys),
            bounds_override=override,
            calibration_pairs=calib,
            calibration_split=args.calibration_split,
            calibration_limit=args.calibration_limit,
            safe_images=args.safe_images,
            unsafe_images=args.unsafe_images,
            derive_image_bounds=not args.no_derived_image_bounds,
            verify_images=args.verify_images,
            force=args.force,
            work_dir=args.work_dir,
        )
        result = export_bundle(src, opts)
        same = gateway_tokenizer_check(args.out, opts.prompts, src.tokenize(opts.prompts))
        if same is False:
            print("hysac_to_bundle: the gateway's tokenizer gives other ids than the reference's for the check prompts; the bundle is written but would not reproduce HySAC", file=sys.stderr)
            return 3
        print(json.dumps({"bundle": args.out, "agreement_fp32_worst": result.report["agreement_fp32_worst"], "threshold": result.report["threshold"]}, indent=2))
        return 0
    except bw.ExportError as e:
        print(f"hysac_to_bundle: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
