#!/usr/bin/env python3
"""
Tests of bundle_writer.py (standard library only, so they run without torch):

    python3 models/export/test_bundle_writer.py                      # unit tests (unittest)
    python3 models/export/test_bundle_writer.py --write-bundle OUT --from DIR
        writes a bundle with bundle_writer from the ONNX, tokenizer, anchor and pool files of the bundle in DIR
        (test/hysac-layout builds one) and the geometry in DIR/manifest.json, with bounds resolved from a
        HySAC-format hysac_bounds.json (S/V up_95 only) plus measured statistics, as the exporter does. The
        jest wrapper (test/hysac-layout/exporter.test.ts) then serves it with the gateway, which checks that
        what the Python writer emits is a bundle the gateway accepts.
"""
from __future__ import annotations

import gzip
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bundle_writer as bw  # noqa: E402

HYSAC_STYLE = {"S": {"up_95": 0.52}, "V": {"up_95": 0.61}}


def stats(mean, p5, p95, src="measured"):
    st = bw.Stats()
    for k, v in (("mean", mean), ("p5", p5), ("p95", p95)):
        st.set(k, v, src)
    return st


class BoundsFromFile(unittest.TestCase):
    def test_reference_keys(self):
        got = bw.stats_from_file(HYSAC_STYLE)
        self.assertEqual(got["safeText"].values, {"p95": 0.52})
        self.assertEqual(got["safeImage"].values, {"p95": 0.61})
        self.assertEqual(got["unsafeText"].values, {})
        self.assertIn("hysac_bounds.json S.up_95", got["safeText"].sources["p95"])

    def test_aliases_and_std(self):
        raw = {"S": {"mean": 0.4, "std": 0.05, "up_95": 0.5}, "S*": {"mean": 1.2, "low_5": 0.9, "up_95": 1.5}, "V_nsfw": {"avg": 1.1, "p5": 0.8, "p95": 1.4}}
        got = bw.stats_from_file(raw)
        self.assertEqual(got["safeText"].values, {"mean": 0.4, "std": 0.05, "p95": 0.5})
        self.assertEqual(got["unsafeText"].values, {"mean": 1.2, "p5": 0.9, "p95": 1.5})
        self.assertEqual(got["unsafeImage"].values, {"mean": 1.1, "p5": 0.8, "p95": 1.4})

    def test_explicit_keys(self):
        raw = {"A": {"up_95": 1.0}, "B": {"up_95": 2.0}}
        got = bw.stats_from_file(raw, bw.parse_bounds_keys("safeText=B, unsafeText=A"))
        self.assertEqual(got["safeText"].values, {"p95": 2.0})
        self.assertEqual(got["unsafeText"].values, {"p95": 1.0})
        with self.assertRaises(bw.ExportError):
            bw.stats_from_file(raw, {"safeText": "C"})
        with self.assertRaises(bw.ExportError):
            bw.parse_bounds_keys("safe=S")

    def test_not_an_object(self):
        with self.assertRaises(bw.ExportError):
            bw.stats_from_file([1, 2])


class Resolve(unittest.TestCase):
    def test_file_plus_measured_plus_derived_images(self):
        from_file = bw.stats_from_file(HYSAC_STYLE)
        measured = {"safeText": stats(0.40, 0.30, 0.50), "unsafeText": stats(1.30, 0.90, 1.80)}
        bounds, notes = bw.resolve_bounds(from_file, measured)
        self.assertEqual(bounds["safeText"], {"mean": 0.4, "p5": 0.3, "p95": 0.52})
        ratio = 0.61 / 0.52
        self.assertEqual(bounds["safeImage"]["p95"], 0.61)
        self.assertAlmostEqual(bounds["safeImage"]["mean"], round(0.40 * ratio, 4))
        self.assertAlmostEqual(bounds["unsafeImage"]["p95"], round(1.80 * ratio, 4))
        self.assertTrue(any("derived" in n for n in notes))
        for g in bw.GROUPS:
            b = bounds[g]
            self.assertTrue(0 <= b["p5"] <= b["mean"] <= b["p95"], (g, b))

    def test_out_of_order_mix_falls_back_to_measured(self):
        from_file = bw.stats_from_file({"S": {"up_95": 0.2}, "V": {"up_95": 0.3}})
        measured = {"safeText": stats(0.40, 0.30, 0.50), "unsafeText": stats(1.3, 0.9, 1.8)}
        bounds, notes = bw.resolve_bounds(from_file, measured)
        self.assertEqual(bounds["safeText"], {"mean": 0.4, "p5": 0.3, "p95": 0.5})
        self.assertIn("out of order", notes[0])

    def test_normal_approximation(self):
        raw = {k: {"mean": m, "std": 0.1} for k, m in (("S", 0.5), ("V", 0.6), ("S*", 1.5), ("V*", 1.7))}
        bounds, _ = bw.resolve_bounds(bw.stats_from_file(raw), {})
        self.assertAlmostEqual(bounds["safeText"]["p5"], round(0.5 - bw.Z95 * 0.1, 4))
        self.assertAlmostEqual(bounds["unsafeImage"]["p95"], round(1.7 + bw.Z95 * 0.1, 4))

    def test_refuses_when_incomplete(self):
        with self.assertRaises(bw.ExportError) as e:
            bw.resolve_bounds(bw.stats_from_file(HYSAC_STYLE), {})
        self.assertIn("--bounds-keys", str(e.exception))
        with self.assertRaises(bw.ExportError):
            bw.resolve_bounds(bw.stats_from_file(HYSAC_STYLE), {"safeText": stats(0.4, 0.3, 0.5), "unsafeText": stats(1.3, 0.9, 1.8)}, derive_images=False)


class Thresholds(unittest.TestCase):
    bounds = {"safeText": {"mean": 0.4, "p5": 0.3, "p95": 0.5}, "unsafeText": {"mean": 1.4, "p5": 1.0, "p95": 1.9}, "safeImage": {"mean": 0.5, "p5": 0.4, "p95": 0.6}, "unsafeImage": {"mean": 1.5, "p5": 1.1, "p95": 2.0}}

    def test_hysac_rule(self):
        # HySAC.traverse_to_safe_text: upper_bound + (tanh((upper_bound - 0.8) / c) + 1)
        t = bw.thresholds("hysac", self.bounds, 0.5, {"text": 0.52})
        self.assertAlmostEqual(t["text"], round(0.52 + math.tanh((0.52 - 0.8) / 0.5) + 1, 4))
        self.assertAlmostEqual(t["image"], round(0.6 + math.tanh((0.6 - 0.8) / 0.5) + 1, 4))

    def test_other_rules(self):
        self.assertEqual(bw.thresholds("midpoint", self.bounds, 1.0), {"text": 0.9, "image": 1.0})
        self.assertEqual(bw.thresholds("safe-p95", self.bounds, 1.0), {"text": 0.5, "image": 0.6})
        with self.assertRaises(bw.ExportError):
            bw.thresholds("median", self.bounds, 1.0)

    def test_accuracy(self):
        acc = bw.verdict_accuracy([0.1, 0.2, 0.9], [1.0, 0.5], 0.8)
        self.assertEqual(acc, {"safe_correct": 2 / 3, "unsafe_correct": 0.5, "accuracy": 3 / 5})


class Misc(unittest.TestCase):
    def test_quantile_matches_numpy_default(self):
        self.assertEqual(bw.quantile([1, 2, 3, 4, 5], 0.5), 3)
        self.assertAlmostEqual(bw.quantile([1, 2, 3, 4], 0.95), 3.85)

    def test_calibration_pairs(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "pairs.tsv")
            with open(p, "w") as f:
                f.write("category\tstyle\tsafe\tunsafe\tsplit\nx\tcaption\ta cat\ta dead cat\tcalib\nx\tcaption\ta dog\ta dead dog\ttrain\n")
            self.assertEqual(bw.read_calibration_pairs(p), (["a cat"], ["a dead cat"]))
            with self.assertRaises(bw.ExportError):
                bw.read_calibration_pairs(p, split="test")

    def test_openai_bpe_to_hf(self):
        with tempfile.TemporaryDirectory() as d:
            gz = os.path.join(d, "bpe.txt.gz")
            with gzip.open(gz, "wt", encoding="utf-8") as f:
                f.write('"bpe_simple_vocab_16e6.txt#version: 0.2\ni n\nt h\nth e</w>\n')
            vocab_path, merges_path = bw.openai_bpe_to_hf(gz, d)
            with open(vocab_path, encoding="utf-8") as f:
                vocab = json.load(f)
            self.assertEqual(vocab["!"], 0)
            self.assertEqual(vocab["!</w>"], 256)
            self.assertEqual(vocab["in"], 512)
            self.assertEqual(vocab["the</w>"], 514)
            self.assertEqual(vocab["<|endoftext|>"], 516)
            self.assertEqual(len(vocab), 517)
            with open(merges_path, encoding="utf-8") as f:
                self.assertEqual(f.read(), "#version: 0.2\ni n\nt h\nth e</w>\n")

    def test_write_bundle_is_atomic_and_hashes(self):
        with tempfile.TemporaryDirectory() as d:
            src = {}
            for name in ("text.onnx", "image.onnx", "merges.gz", "anchors.tsv", "pool.txt"):
                src[name] = os.path.join(d, "src-" + name)
                with open(src[name], "w") as f:
                    f.write("safe\ta cat\n" if name == "anchors.tsv" else name)
            spec = _spec({"type": "clip-bpe", "merges": "merges.gz", "contextLength": 77})
            out = os.path.join(d, "bundle")
            m = bw.write_bundle(out, spec, src)
            self.assertEqual(sorted(os.listdir(out)), ["anchors.tsv", "image.onnx", "manifest.json", "merges.gz", "pool.txt", "text.onnx"])
            self.assertEqual(m["provenance"]["files"]["pool.txt"], bw.sha256_file(os.path.join(out, "pool.txt")))
            with self.assertRaises(bw.ExportError):
                bw.write_bundle(out, spec, src)  # exists, no force
            bad = _spec({"type": "clip-bpe", "merges": "merges.gz", "contextLength": 77})
            bad.bounds = dict(bad.bounds, safeText={"mean": 0.1, "p5": 0.2, "p95": 0.3})
            with self.assertRaises(bw.ExportError):
                bw.write_bundle(out, bad, src, force=True)
            self.assertTrue(os.path.isfile(os.path.join(out, "manifest.json")), "a refused write leaves the old bundle")
            self.assertEqual([f for f in os.listdir(d) if "staging" in f], [])
            with self.assertRaises(bw.ExportError):
                bw.write_bundle(os.path.join(d, "other"), spec, {k: v for k, v in src.items() if k != "pool.txt"})


def _spec(tokenizer, **over) -> bw.BundleSpec:
    b = Thresholds.bounds
    kw = dict(
        name="t",
        description="d",
        embedding_dim=4,
        curvature=0.5,
        alpha_text=0.7,
        alpha_image=1.3,
        bounds=b,
        threshold={"text": 1.0, "image": 1.1},
        preprocess={"size": 224, "resize": "shortest-side", "crop": "center", "kernel": "cubic", "scale": 255, "mean": [0.5] * 3, "std": [0.5] * 3, "layout": "NCHW", "background": [255, 255, 255]},
        tokenizer=tokenizer,
        source="test",
        license="MIT",
        rebuild="test",
        notes="",
    )
    kw.update(over)
    return bw.BundleSpec(**kw)


def write_from(src_dir: str, out: str) -> dict:
    """The --write-bundle mode (see the module docstring)."""
    with open(os.path.join(src_dir, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    # A HySAC-format bounds file giving only what the reference code reads, the rest "measured" (here: taken
    # from the source manifest, which measured it), images derived from text as the exporter would.
    raw = {"S": {"up_95": m["bounds"]["safeText"]["p95"]}, "V": {"up_95": m["bounds"]["safeImage"]["p95"]}}
    measured = {g: stats(**{k: m["bounds"][g][k] for k in bw.STATS}, src="measured by the test bundle builder") for g in ("safeText", "unsafeText", "safeImage", "unsafeImage")}
    bounds, notes = bw.resolve_bounds(bw.stats_from_file(raw), measured)
    threshold = bw.thresholds("midpoint", bounds, m["curvature"])
    tok = dict(m["text"]["tokenizer"])
    sources = {"text.onnx": os.path.join(src_dir, m["text"]["model"]), "image.onnx": os.path.join(src_dir, m["image"]["model"]), "anchors.tsv": os.path.join(src_dir, m["anchors"]), "pool.txt": os.path.join(src_dir, m["pool"])}
    if tok["merges"].endswith(".gz"):
        # Ship the Hugging Face layout converted from OpenAI's file: exercises the gateway's vocab.json path.
        tmp = tempfile.mkdtemp(prefix="bpe-hf-")
        vocab, merges = bw.openai_bpe_to_hf(os.path.join(src_dir, tok["merges"]), tmp)
        sources.update({"vocab.json": vocab, "merges.txt": merges})
        tok = {"type": "clip-bpe", "merges": "merges.txt", "vocab": "vocab.json", "contextLength": tok["contextLength"]}
    else:
        for k in ("merges", "vocab"):
            if k in tok:
                sources[tok[k]] = os.path.join(src_dir, tok[k])
    spec = bw.BundleSpec(
        name="python-writer-test",
        description="TEST bundle written by models/export/bundle_writer.py from test/hysac-layout's graphs",
        embedding_dim=m["embeddingDim"],
        curvature=m["curvature"],
        alpha_text=m["alpha"]["text"],
        alpha_image=m["alpha"]["image"],
        bounds=bounds,
        threshold=threshold,
        preprocess=m["image"]["preprocess"],
        tokenizer=tok,
        source="test",
        license="MIT",
        rebuild="python3 models/export/test_bundle_writer.py --write-bundle OUT --from DIR",
        notes="; ".join(notes),
        fixture=True,
        text_input=m["text"]["input"],
        text_output=m["text"]["output"],
        image_input=m["image"]["input"],
        image_output=m["image"]["output"],
    )
    bw.check_anchors(sources["anchors.tsv"])
    try:
        return bw.write_bundle(out, spec, sources, force=True, extra={"REPORT.md": "# test\n"})
    finally:
        if "vocab.json" in sources and sources["vocab.json"].startswith(tempfile.gettempdir()):
            shutil.rmtree(os.path.dirname(sources["vocab.json"]), ignore_errors=True)


if __name__ == "__main__":
    if "--write-bundle" in sys.argv:
        a = sys.argv
        manifest = write_from(a[a.index("--from") + 1], a[a.index("--write-bundle") + 1])
        print(json.dumps({"bounds": manifest["bounds"], "threshold": manifest["threshold"], "notes": manifest["provenance"]["notes"]}))
    else:
        unittest.main()
