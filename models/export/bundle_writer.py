"""
The model-independent half of the HySAC exporter: hysac_bounds.json -> manifest bounds, decision thresholds,
the manifest itself, and writing a bundle folder the gateway accepts (src/runtime/manifest-types.ts is the
format; src/runtime/manifest.ts the validator this file must satisfy).

Standard library only (no torch, no numpy), so it is tested everywhere: test_bundle_writer.py.

Bounds (manifest `bounds`: safeText, safeImage, unsafeText, unsafeImage, each {mean, p5, p95} of the geodesic
distance from the origin). What the HySAC reference code tells about hysac_bounds.json is only what it reads:
`bounds["S"]["up_95"]` ("95th percentile of the safe_text distribution", traverse_to_safe_text) and
`bounds["V"]["up_95"]` (the same for safe images, traverse_to_safe_image). So:

  1. each group's statistics are looked up in the file under the keys it is known or likely to use
     (GROUP_KEYS, STAT_KEYS below; `--bounds-keys` names them explicitly);
  2. what the file does not give is measured: the text groups on the project's held-out calibration pairs
     (models/hysac-mini/data/pairs.tsv, split 'calib') through the exported ONNX graph, the image groups on
     folders of images given with --safe-images / --unsafe-images;
  3. a missing p5/p95 of a group whose mean and std the file gives: mean -/+ 1.645 std (normal approximation);
  4. image statistics still missing after that: the measured text statistics of the same kind, scaled by the
     file's safe-image / safe-text p95 ratio (V.up_95 / S.up_95). Marked 'derived' in the manifest notes.
When mixing sources breaks p5 <= mean <= p95 for a group, the measured statistics replace the whole group.
Every statistic's source is recorded in provenance.notes.

Thresholds (manifest `threshold`, unsafe when distance >= threshold), `--threshold-rule`:
  'hysac'    (default) HySAC's own NSFW boundary, the test in traverse_to_safe_text/_image:
             t = p95_safe + tanh((p95_safe - 0.8) / c) + 1, with c the curvature and 0.8 the reference's
             default `alpha` argument of those methods;
  'midpoint' halfway between the safe and unsafe means of the modality;
  'safe-p95' the safe group's p95.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

GROUPS = ("safeText", "safeImage", "unsafeText", "unsafeImage")
STATS = ("mean", "p5", "p95")

#: hysac_bounds.json keys tried for each manifest group, first match wins. "S" and "V" are the two the reference
#: code reads; the others are guesses at the file's naming for the unsafe groups.
GROUP_KEYS: Dict[str, Tuple[str, ...]] = {
    "safeText": ("S", "safe_text", "text_safe", "safeText", "T"),
    "safeImage": ("V", "safe_image", "image_safe", "safeImage", "I"),
    "unsafeText": ("S*", "S_star", "S_nsfw", "US", "U_S", "unsafe_text", "text_unsafe", "nsfw_text", "unsafeText", "T*"),
    "unsafeImage": ("V*", "V_star", "V_nsfw", "UV", "U_V", "unsafe_image", "image_unsafe", "nsfw_image", "unsafeImage", "I*"),
}
#: Keys tried for each statistic inside a group. "up_95" is the one the reference code reads.
STAT_KEYS: Dict[str, Tuple[str, ...]] = {
    "mean": ("mean", "avg", "average", "mu"),
    "p5": ("low_5", "lo_5", "down_5", "low_05", "p5", "p05", "q5", "q05", "perc_5", "percentile_5", "5"),
    "p95": ("up_95", "high_95", "hi_95", "p95", "q95", "perc_95", "percentile_95", "95"),
    "std": ("std", "stdev", "sigma", "sd"),
}
Z95 = 1.6448536269514722  # standard normal 95th percentile
#: The `alpha` default of HySAC.traverse_to_safe_text/_image, which enters its NSFW boundary.
HYSAC_TRAVERSAL_ALPHA = 0.8
THRESHOLD_RULES = ("hysac", "midpoint", "safe-p95")


class ExportError(Exception):
    """A problem that stops the export; the message says what and what to do."""


def _number(v: object) -> Optional[float]:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and math.isfinite(float(v)):
        return float(v)
    if isinstance(v, list) and len(v) == 1:
        return _number(v[0])
    return None


def parse_bounds_keys(spec: Optional[str]) -> Dict[str, str]:
    """'safeText=S,safeImage=V,unsafeText=S*,unsafeImage=V*' -> {group: file key}."""
    out: Dict[str, str] = {}
    if not spec:
        return out
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ExportError(f"--bounds-keys: '{part}' is not GROUP=KEY; allowed groups: {', '.join(GROUPS)}")
        g, k = (s.strip() for s in part.split("=", 1))
        if g not in GROUPS:
            raise ExportError(f"--bounds-keys: unknown group '{g}'; allowed: {', '.join(GROUPS)}")
        out[g] = k
    return out


@dataclass
class Stats:
    """Partial distance statistics of one group, with the source of each value."""

    values: Dict[str, float] = field(default_factory=dict)
    sources: Dict[str, str] = field(default_factory=dict)

    def complete(self) -> bool:
        return all(s in self.values for s in STATS)

    def ordered(self) -> bool:
        v = self.values
        return self.complete() and 0 <= v["p5"] <= v["mean"] <= v["p95"]

    def set(self, stat: str, value: float, source: str) -> None:
        self.values[stat] = float(value)
        self.sources[stat] = source


def stats_from_file(raw: Optional[dict], explicit: Optional[Dict[str, str]] = None) -> Dict[str, Stats]:
    """Reads what hysac_bounds.json gives for each group (see GROUP_KEYS / STAT_KEYS)."""
    explicit = explicit or {}
    out = {g: Stats() for g in GROUPS}
    if raw is None:
        return out
    if not isinstance(raw, dict):
        raise ExportError(f"hysac_bounds.json holds {type(raw).__name__}; expected a JSON object such as {{\"S\": {{\"up_95\": ...}}, \"V\": {{...}}}}")
    for g in GROUPS:
        if g in explicit:
            if explicit[g] not in raw:
                raise ExportError(f"--bounds-keys names '{explicit[g]}' for {g}, which hysac_bounds.json does not have; its keys: {sorted(raw)}")
            keys: Iterable[str] = (explicit[g],)
        else:
            keys = GROUP_KEYS[g]
        key = next((k for k in keys if k in raw and isinstance(raw[k], dict)), None)
        if key is None:
            continue
        entry = raw[key]
        for stat in (*STATS, "std"):
            for sk in STAT_KEYS[stat]:
                value = _number(entry.get(sk))
                if value is not None:
                    out[g].set(stat, value, f"hysac_bounds.json {key}.{sk}")
                    break
    return out


def describe_file(raw: Optional[dict]) -> str:
    if raw is None:
        return "no hysac_bounds.json"
    return "hysac_bounds.json keys: " + ", ".join(f"{k}: {sorted(v) if isinstance(v, dict) else type(v).__name__}" for k, v in raw.items())


def quantile(values: Sequence[float], q: float) -> float:
    """q-quantile with linear interpolation between order statistics (numpy's default, and calibrate.ts's)."""
    s = sorted(values)
    if not s:
        raise ValueError("quantile of no values")
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def measured_stats(distances: Sequence[float], source: str) -> Stats:
    st = Stats()
    st.set("mean", sum(distances) / len(distances), source)
    st.set("p5", quantile(distances, 0.05), source)
    st.set("p95", quantile(distances, 0.95), source)
    return st


def resolve_bounds(
    from_file: Dict[str, Stats],
    measured: Dict[str, Stats],
    derive_images: bool = True,
) -> Tuple[Dict[str, Dict[str, float]], List[str]]:
    """
    Completes every group per the policy in the module docstring. Returns the manifest `bounds` (rounded to
    4 decimals) and one note line per group saying where each number came from.
    """
    groups: Dict[str, Stats] = {}
    for g in GROUPS:
        st = Stats(dict(from_file[g].values), dict(from_file[g].sources))
        st.values.pop("std", None)
        m = measured.get(g)
        if m is not None:
            for s in STATS:
                if s not in st.values:
                    st.set(s, m.values[s], m.sources[s])
        f = from_file[g].values
        if "mean" in f and "std" in f:
            if "p5" not in st.values:
                st.set("p5", max(0.0, f["mean"] - Z95 * f["std"]), "normal approximation mean - 1.645 std (hysac_bounds.json)")
            if "p95" not in st.values:
                st.set("p95", f["mean"] + Z95 * f["std"], "normal approximation mean + 1.645 std (hysac_bounds.json)")
        if st.complete() and not st.ordered() and m is not None and m.complete():
            st = Stats(dict(m.values), {s: m.sources[s] + " (the file's values mixed with these were out of order)" for s in STATS})
        groups[g] = st

    if derive_images:
        s_t, s_v = from_file["safeText"].values.get("p95"), from_file["safeImage"].values.get("p95")
        ratio = s_v / s_t if s_t and s_v else None
        for img, txt in (("safeImage", "safeText"), ("unsafeImage", "unsafeText")):
            st, src = groups[img], groups[txt]
            missing = [s for s in STATS if s not in st.values]
            if not missing or ratio is None or not src.complete():
                continue
            for s in missing:
                st.set(s, src.values[s] * ratio, f"derived: {txt}.{s} x (V.up_95 / S.up_95 = {ratio:.4f})")
            if not st.ordered():
                groups[img] = Stats(
                    {s: src.values[s] * ratio for s in STATS},
                    {s: f"derived: {txt}.{s} x {ratio:.4f} (the file's values mixed with these were out of order)" for s in STATS},
                )

    problems = []
    for g in GROUPS:
        st = groups[g]
        missing = [s for s in STATS if s not in st.values]
        if missing:
            problems.append(f"{g}: no {', '.join(missing)}")
        elif not st.ordered():
            v = st.values
            problems.append(f"{g}: p5={v['p5']:.4f}, mean={v['mean']:.4f}, p95={v['p95']:.4f} are not 0 <= p5 <= mean <= p95")
    if problems:
        raise ExportError(
            "cannot complete the manifest bounds: " + "; ".join(problems) + ". Give the hysac_bounds.json keys with "
            "--bounds-keys safeText=KEY,..., images with --safe-images/--unsafe-images, text pairs with --calibration-pairs, "
            "or every number with --bounds-json FILE (manifest 'bounds' format)."
        )
    bounds = {g: {s: round(groups[g].values[s], 4) for s in STATS} for g in GROUPS}
    notes = [f"{g}: " + "; ".join(f"{s} from {groups[g].sources[s]}" for s in STATS) for g in GROUPS]
    return bounds, notes


def hysac_threshold(safe_p95: float, curvature: float, alpha: float = HYSAC_TRAVERSAL_ALPHA) -> float:
    """HySAC's NSFW boundary (traverse_to_safe_text/_image): p95 + tanh((p95 - alpha) / c) + 1."""
    return safe_p95 + math.tanh((safe_p95 - alpha) / curvature) + 1.0


def thresholds(rule: str, bounds: Dict[str, Dict[str, float]], curvature: float, file_p95: Optional[Dict[str, float]] = None) -> Dict[str, float]:
    """Decision thresholds per `rule` (see the module docstring). `file_p95` = {'text': S.up_95, 'image': V.up_95} when known."""
    file_p95 = file_p95 or {}
    out = {}
    for modality, safe, unsafe in (("text", "safeText", "unsafeText"), ("image", "safeImage", "unsafeImage")):
        if rule == "hysac":
            p95 = file_p95.get(modality, bounds[safe]["p95"])
            t = hysac_threshold(p95, curvature)
        elif rule == "midpoint":
            t = (bounds[safe]["mean"] + bounds[unsafe]["mean"]) / 2
        elif rule == "safe-p95":
            t = bounds[safe]["p95"]
        else:
            raise ExportError(f"--threshold-rule {rule!r} is unknown; allowed: {', '.join(THRESHOLD_RULES)}")
        if not (t > 0 and math.isfinite(t)):
            raise ExportError(f"the {rule} rule gives a {modality} threshold of {t}; allowed: a positive number")
        out[modality] = round(t, 4)
    return out


def verdict_accuracy(safe: Sequence[float], unsafe: Sequence[float], threshold: float) -> Dict[str, float]:
    """Share of safe items below and unsafe items at/above `threshold`."""
    tn = sum(1 for d in safe if d < threshold)
    tp = sum(1 for d in unsafe if d >= threshold)
    return {
        "safe_correct": tn / len(safe) if safe else float("nan"),
        "unsafe_correct": tp / len(unsafe) if unsafe else float("nan"),
        "accuracy": (tn + tp) / (len(safe) + len(unsafe)) if (safe or unsafe) else float("nan"),
    }


def read_calibration_pairs(path: str, split: str = "calib", limit: int = 512) -> Tuple[List[str], List[str]]:
    """Safe and unsafe prompts of `split` from a pairs.tsv (`category style safe unsafe split`, header row)."""
    safe: List[str] = []
    unsafe: List[str] = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        try:
            i_safe, i_unsafe, i_split = header.index("safe"), header.index("unsafe"), header.index("split")
        except ValueError as e:
            raise ExportError(f"{path}: header {header} lacks safe/unsafe/split columns") from e
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) <= max(i_safe, i_unsafe, i_split) or cols[i_split] != split:
                continue
            safe.append(cols[i_safe])
            unsafe.append(cols[i_unsafe])
            if len(safe) >= limit:
                break
    if not safe:
        raise ExportError(f"{path} has no rows with split '{split}'")
    return safe, unsafe


# ---------------------------------------------------------------------------------------------------- tokenizer


def _bytes_to_unicode() -> Dict[int, str]:
    """OpenAI CLIP's byte -> symbol table (simple_tokenizer.bytes_to_unicode)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def openai_bpe_to_hf(gz_path: str, out_dir: str) -> Tuple[str, str]:
    """
    Writes vocab.json + merges.txt (Hugging Face CLIPTokenizer layout) equivalent to OpenAI's
    bpe_simple_vocab_16e6.txt.gz, with the ids simple_tokenizer.py assigns. Returns the two paths.
    """
    with gzip.open(gz_path, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [m for m in lines[1 : 49152 - 256 - 2 + 1] if m.strip()]
    symbols = list(_bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m.split()) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    os.makedirs(out_dir, exist_ok=True)
    vocab_path = os.path.join(out_dir, "vocab.json")
    merges_path = os.path.join(out_dir, "merges.txt")
    with open(vocab_path, "w", encoding="utf-8") as f:
        json.dump({tok: i for i, tok in enumerate(vocab)}, f, ensure_ascii=False)
    with open(merges_path, "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    return vocab_path, merges_path


# ---------------------------------------------------------------------------------------------------- writing


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class BundleSpec:
    """Everything model-specific a bundle needs besides its files."""

    name: str
    description: str
    embedding_dim: int
    curvature: float
    alpha_text: float
    alpha_image: float
    bounds: Dict[str, Dict[str, float]]
    threshold: Dict[str, float]
    preprocess: Dict[str, object]
    #: {'type': 'clip-bpe', 'merges': file, 'vocab'?: file, 'contextLength': 77}
    tokenizer: Dict[str, object]
    source: str
    license: str
    rebuild: str
    notes: str
    fixture: bool = False
    cone_k: float = 0.1
    text_input: str = "input_ids"
    text_output: str = "text_embeds"
    image_input: str = "pixel_values"
    image_output: str = "image_embeds"


def manifest_for(spec: BundleSpec, files: Dict[str, str]) -> dict:
    """The manifest.json object (src/runtime/manifest-types.ts), `files` = {name: sha256}."""
    return {
        "formatVersion": 1,
        "name": spec.name,
        "description": spec.description,
        "fixture": spec.fixture,
        "provenance": {"source": spec.source, "license": spec.license, "rebuild": spec.rebuild, "files": files, "notes": spec.notes},
        "embeddingDim": spec.embedding_dim,
        "curvature": spec.curvature,
        "outputs": "tangent",
        "alpha": {"text": spec.alpha_text, "image": spec.alpha_image},
        "text": {"model": "text.onnx", "input": spec.text_input, "output": spec.text_output, "inputType": "int64", "tokenizer": spec.tokenizer},
        "image": {"model": "image.onnx", "input": spec.image_input, "output": spec.image_output, "preprocess": spec.preprocess},
        "bounds": spec.bounds,
        "threshold": spec.threshold,
        "coneK": spec.cone_k,
        "anchors": "anchors.tsv",
        "pool": "pool.txt",
    }


def check_manifest(m: dict) -> None:
    """The checks of src/runtime/manifest.ts that a writer can get wrong; raises ExportError."""
    problems = []
    for g in GROUPS:
        b = m["bounds"][g]
        if not (0 <= b["p5"] <= b["mean"] <= b["p95"]):
            problems.append(f"bounds.{g} {b} is not 0 <= p5 <= mean <= p95")
    for k in ("text", "image"):
        if not m["threshold"][k] > 0:
            problems.append(f"threshold.{k} must be > 0")
        if not m["alpha"][k] > 0:
            problems.append(f"alpha.{k} must be > 0")
    if not m["curvature"] > 0:
        problems.append("curvature must be > 0")
    p = m["image"]["preprocess"]
    if p["resize"] == "shortest-side" and p["crop"] != "center":
        problems.append("image.preprocess: shortest-side resize needs crop 'center'")
    if p["kernel"] not in ("cubic", "linear", "lanczos3", "nearest"):
        problems.append(f"image.preprocess.kernel {p['kernel']!r} is not cubic, linear, lanczos3 or nearest")
    for name, digest in m["provenance"]["files"].items():
        if len(digest) != 64:
            problems.append(f"provenance.files.{name} is not a sha256")
    if problems:
        raise ExportError("the manifest would be refused by the gateway: " + "; ".join(problems))


def write_bundle(out_dir: str, spec: BundleSpec, sources: Dict[str, str], force: bool = False, extra: Optional[Dict[str, str]] = None) -> dict:
    """
    Writes the bundle: copies `sources` ({bundle file name: path}; must include text.onnx, image.onnx,
    anchors.tsv, pool.txt and the tokenizer files), writes `extra` text files ({name: contents}, e.g. REPORT.md),
    and manifest.json with the sha256 of every other file. Files go to a sibling staging folder first, which
    replaces `out_dir` only when complete. Returns the manifest.
    """
    needed = {"text.onnx", "image.onnx", "anchors.tsv", "pool.txt", str(spec.tokenizer["merges"])}
    if "vocab" in spec.tokenizer:
        needed.add(str(spec.tokenizer["vocab"]))
    missing = sorted(needed - set(sources))
    if missing:
        raise ExportError(f"write_bundle: no source for {', '.join(missing)}")
    if os.path.exists(out_dir) and not force:
        raise ExportError(f"{out_dir} exists; pass --force to replace it")
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    staging = os.path.join(parent, f".{os.path.basename(os.path.abspath(out_dir))}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    try:
        files: Dict[str, str] = {}
        for name, src in sorted(sources.items()):
            dst = os.path.join(staging, name)
            shutil.copyfile(src, dst)
            files[name] = sha256_file(dst)
        for name, text in sorted((extra or {}).items()):
            with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
                f.write(text)
            files[name] = sha256_file(os.path.join(staging, name))
        manifest = manifest_for(spec, files)
        check_manifest(manifest)
        with open(os.path.join(staging, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
        return manifest
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def project_data_files(repo_root: str) -> Dict[str, str]:
    """anchors.tsv and pool.txt for a real bundle: hysac-mini's corpus when present, else the fixture's."""
    for d in (os.path.join(repo_root, "models", "hysac-mini", "data"), os.path.join(repo_root, "models", "fixture-tiny")):
        a, p = os.path.join(d, "anchors.tsv"), os.path.join(d, "pool.txt")
        if os.path.isfile(a) and os.path.isfile(p):
            return {"anchors.tsv": a, "pool.txt": p}
    raise ExportError(f"no anchors.tsv + pool.txt under {repo_root}/models/hysac-mini/data or models/fixture-tiny")


def check_anchors(path: str) -> int:
    """Counts anchors and checks the `label<TAB>text` format the gateway reads (bundle.ts parseAnchors)."""
    labels = {"safe", "sexual", "violence", "hate", "harassment", "self-harm", "shocking", "illegal-activity"}
    n = 0
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            label, _, text = line.partition("\t")
            if label.strip() not in labels or not text.strip():
                raise ExportError(f"{path}:{i}: expected 'label<TAB>text' with label one of {sorted(labels)}")
            n += 1
    if n == 0:
        raise ExportError(f"{path} holds no anchors")
    return n
