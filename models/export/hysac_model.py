"""
HySAC as the reference code builds it (aimagelab/HySAC, hysac/models.py, HySAC.from_pretrained), for export.

What the reference does, and what this module mirrors:
  - two towers from `openai/clip-vit-large-patch14`: CLIPTextModelWithProjection and
    CLIPVisionModelWithProjection (not a CLIPModel), each wrapped by peft's get_peft_model with
        LoraConfig(r=16, lora_alpha=1, target_modules=[k_proj, v_proj, out_proj, fc1, fc2, patch_embedding],
                   lora_dropout=0.1, bias="none");
  - a container module whose parameters are `visual` and `textual` (the PEFT towers), `curv` (log of c, the
    hyperboloid has curvature -c), `visual_alpha` and `textual_alpha` (logs of the feature scales), `logit_scale`,
    and the buffers `pixel_mean` / `pixel_std`; `hysac_model.pth` is that module's state dict;
  - features: `textual(input_ids=ids).text_embeds` and `visual(pixel_values=px).image_embeds` (projected,
    no L2 normalisation, no attention mask), lifted as exp_map0(feats * alpha.exp(), curv.exp()) (MERU's
    exp_map0: sinh(sqrt(c)|x|) x / (sqrt(c)|x|), its argument clamped to [1e-8, asinh(2^15)]);
  - text ids from transformers' CLIPTokenizer (padding='max_length', truncation=True: 77 ids, padded with
    <|endoftext|>); images from the backbone's CLIPImageProcessor (shortest side 224 bicubic, center crop 224,
    CLIP mean/std): the ViSU dataset the model was trained on is read with the backbone's processor.

Checkpoint keys: hysac_model.pth was saved with LoRA layers that hold their original weights under
`base_layer.` (peft >= 0.7); the reference loader strips `base_layer.` for an older peft and adds a zero
`patch_embedding.bias` (old peft's LoRA Conv2d had a bias). `load_checkpoint` maps the keys onto whatever the
installed peft expects, in either direction, and loads strictly.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

LORA_TARGETS = ["k_proj", "v_proj", "out_proj", "fc1", "fc2", "patch_embedding"]
CLIP_BACKBONE = "openai/clip-vit-large-patch14"


def hysac_lora_config():
    from peft import LoraConfig

    return LoraConfig(r=16, lora_alpha=1, target_modules=list(LORA_TARGETS), lora_dropout=0.1, bias="none")


class HySACModules(nn.Module):
    """The parameter layout of the reference HySAC module (names matter: they are the checkpoint's keys)."""

    def __init__(self, visual: nn.Module, textual: nn.Module, embed_dim: int = 768, curv_init: float = 1.0):
        super().__init__()
        self.visual = visual
        self.textual = textual
        self.embed_dim = embed_dim
        self.logit_scale = nn.Parameter(torch.tensor(1 / 0.07).log())
        self.register_buffer("pixel_mean", torch.tensor((0.485, 0.456, 0.406)).view(-1, 1, 1))
        self.register_buffer("pixel_std", torch.tensor((0.229, 0.224, 0.225)).view(-1, 1, 1))
        self.curv = nn.Parameter(torch.tensor(curv_init).log())
        self.visual_alpha = nn.Parameter(torch.tensor(embed_dim**-0.5).log())
        self.textual_alpha = nn.Parameter(torch.tensor(embed_dim**-0.5).log())

    # The reference's encode_text / encode_image with project=True, for verification.
    def text_tangent(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.textual(input_ids=input_ids).text_embeds

    def image_tangent(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.visual(pixel_values=pixel_values).image_embeds

    def lift_text(self, input_ids: torch.Tensor) -> torch.Tensor:
        return exp_map0(self.text_tangent(input_ids) * self.textual_alpha.exp(), self.curv.exp())

    def lift_image(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return exp_map0(self.image_tangent(pixel_values) * self.visual_alpha.exp(), self.curv.exp())

    def geometry(self) -> Dict[str, float]:
        """alpha per modality and c, as the reference computes them (exp of the stored logs), as Python floats."""
        return {
            "alpha_text": float(self.textual_alpha.detach().exp().item()),
            "alpha_image": float(self.visual_alpha.detach().exp().item()),
            "curvature": float(self.curv.detach().exp().item()),
        }


def exp_map0(x: torch.Tensor, curv, eps: float = 1e-8) -> torch.Tensor:
    """MERU / HySAC lorentz.exp_map0: space components of exp_O(x) on the hyperboloid of curvature -curv."""
    rc_xnorm = curv**0.5 * torch.norm(x, dim=-1, keepdim=True)
    sinh_input = torch.clamp(rc_xnorm, min=eps, max=math.asinh(2**15))
    return torch.sinh(sinh_input) * x / torch.clamp(rc_xnorm, min=eps)


def build_towers(text_encoder: nn.Module, vision_encoder: nn.Module, embed_dim: int) -> HySACModules:
    """Wraps the two CLIP towers with HySAC's LoRA config and the alpha/curv parameters (weights not loaded)."""
    from peft import get_peft_model

    cfg = hysac_lora_config()
    return HySACModules(visual=get_peft_model(vision_encoder, cfg), textual=get_peft_model(text_encoder, cfg), embed_dim=embed_dim)


def _with_base_layer(key: str) -> str:
    head, _, name = key.rpartition(".")
    return f"{head}.base_layer.{name}"


def remap_checkpoint(state: Dict[str, torch.Tensor], expected: Dict[str, torch.Tensor]) -> Tuple["OrderedDict[str, torch.Tensor]", List[str]]:
    """
    Maps checkpoint keys onto the model's (adding or stripping `base_layer.`), fills a missing LoRA-Conv2d
    `patch_embedding.bias` with zeros, drops an all-zero one the model does not have. Returns the new state dict
    and notes on what was changed; raises KeyError listing keys that cannot be matched.
    """
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    notes: List[str] = []
    unexpected: List[str] = []
    renamed = 0
    for k, v in state.items():
        candidates = [k, k.replace("base_layer.", ""), _with_base_layer(k)]
        target = next((c for c in candidates if c in expected), None)
        if target is None:
            if k.endswith("patch_embedding.bias") and torch.count_nonzero(v) == 0:
                notes.append(f"dropped all-zero {k} (the installed peft's LoRA Conv2d has no bias)")
                continue
            if k.endswith("position_ids") and torch.equal(v.flatten().long(), torch.arange(v.numel())):
                # transformers < 4.31 saved this constant arange buffer; later versions do not persist it
                notes.append(f"dropped {k} (a constant 0..n-1 buffer the installed transformers does not save)")
                continue
            unexpected.append(k)
            continue
        renamed += target != k
        out[target] = v
    missing = [k for k in expected if k not in out]
    for k in list(missing):
        if k.endswith("patch_embedding.bias") or k.endswith("patch_embedding.base_layer.bias"):
            out[k] = torch.zeros_like(expected[k])
            notes.append(f"set {k} to zeros (as the reference loader does)")
            missing.remove(k)
    if renamed:
        notes.append(f"renamed {renamed} keys for the installed peft's layout (base_layer.)")
    if unexpected or missing:
        raise KeyError(f"hysac_model.pth does not fit the model: {len(missing)} missing (e.g. {missing[:5]}), {len(unexpected)} unexpected (e.g. {unexpected[:5]})")
    return out, notes


def load_checkpoint(model: HySACModules, state: Dict[str, torch.Tensor]) -> List[str]:
    """Loads `state` (hysac_model.pth) strictly after remap_checkpoint; returns the remapping notes."""
    mapped, notes = remap_checkpoint(state, model.state_dict())
    model.load_state_dict(mapped, strict=True)
    return notes


def _from_pretrained(cls, name: str, revision: Optional[str]):
    """from_pretrained with the eager attention implementation when this transformers has the choice."""
    try:
        return cls.from_pretrained(name, revision=revision, attn_implementation="eager")
    except TypeError:
        return cls.from_pretrained(name, revision=revision)


def load_published(model_id: str, revision: Optional[str], backbone: str = CLIP_BACKBONE, backbone_revision: Optional[str] = None, trust_pickle: bool = False) -> dict:
    """
    Downloads and builds HySAC the way HySAC.from_pretrained does. Returns a dict with the model (eval mode),
    the raw bounds JSON, the tokenizer/processor, the tokenizer files, and provenance facts. The checkpoint is
    read with torch.load(weights_only=True) unless `trust_pickle` (it is a pickle; only tensors are expected).
    Raises ValueError with an explanation when the checkpoint cannot be read or does not fit.
    """
    import json

    from huggingface_hub import HfApi, hf_hub_download
    from transformers import CLIPImageProcessor, CLIPTextModelWithProjection, CLIPTokenizer, CLIPVisionModelWithProjection

    api = HfApi()
    model_sha = api.model_info(model_id, revision=revision).sha
    backbone_sha = api.model_info(backbone, revision=backbone_revision).sha
    ckpt_path = hf_hub_download(model_id, "hysac_model.pth", revision=model_sha)
    bounds_path = hf_hub_download(model_id, "hysac_bounds.json", revision=model_sha)
    with open(bounds_path, encoding="utf-8") as f:
        bounds_raw = json.load(f)

    text_encoder = _from_pretrained(CLIPTextModelWithProjection, backbone, backbone_sha)
    vision_encoder = _from_pretrained(CLIPVisionModelWithProjection, backbone, backbone_sha)
    model = build_towers(text_encoder, vision_encoder, embed_dim=text_encoder.config.projection_dim)
    try:
        state = torch.load(ckpt_path, map_location="cpu", weights_only=not trust_pickle)
    except Exception as e:  # an UnpicklingError subclass for objects other than tensors
        raise ValueError(f"{ckpt_path} could not be read with torch.load(weights_only={not trust_pickle}) ({e}); if you trust the file, rerun with --trust-checkpoint") from e
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    try:
        notes = load_checkpoint(model, state)
    except (KeyError, RuntimeError) as e:
        raise ValueError(f"{ckpt_path} does not fit HySAC's layout on {backbone}: {e}") from e
    model.eval()

    tokenizer = CLIPTokenizer.from_pretrained(backbone, revision=backbone_sha)
    processor = CLIPImageProcessor.from_pretrained(backbone, revision=backbone_sha)
    vocab = hf_hub_download(backbone, "vocab.json", revision=backbone_sha)
    merges = hf_hub_download(backbone, "merges.txt", revision=backbone_sha)
    return {
        "model": model,
        "bounds_raw": bounds_raw,
        "tokenizer": tokenizer,
        "processor": processor,
        "tokenizer_files": {"vocab.json": vocab, "merges.txt": merges},
        "checkpoint_path": ckpt_path,
        "model_sha": model_sha,
        "backbone": backbone,
        "backbone_sha": backbone_sha,
        "load_notes": notes,
    }
