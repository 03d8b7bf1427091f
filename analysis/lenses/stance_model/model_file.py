"""The model file: a zip of JSON metadata, UTF-8 vocabularies and ``.npy`` arrays. Never a pickle.

Loading a pickle runs whatever code it names, and a model file is something
people mail each other. This file holds only data: ``metadata.json`` (format
name and version, the framelens version, the training file's name and
sha256, the columns, seed, chosen settings, the cross-validated figures and
confusion matrices), and per classifier ``modelN/`` entries:
``blockM_vocabulary.txt`` (one feature a line), ``blockM_idf.npy``,
``coef.npy`` and ``intercept.npy``, read with ``allow_pickle=False``. The
metadata records the sha256 of every other entry, so a damaged or edited
file is refused; that guards integrity, not authorship (anyone can write a
consistent file, and it is still only numbers). Entries carry a fixed
timestamp, so the same model gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from framelens.analysis.errors import FramelensError
from framelens.analysis.io.output import write_output
from framelens.analysis.lenses.stance_model.model import FeatureBlock, LinearModel, StanceModel

FORMAT = "framelens-stance-model"
FORMAT_VERSION = 1
METADATA = "metadata.json"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_MAX_UNPACKED = 4 << 30
_BLOCK_KINDS = ("word", "char", "target")


class ModelFileError(FramelensError):
    """A model file that is not one, is damaged, or has another format version."""


@dataclass(frozen=True)
class LoadedModel:
    model: StanceModel
    metadata: dict[str, Any]


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array, dtype=np.float64),
                              allow_pickle=False)
    return buffer.getvalue()


def _entries(model: StanceModel) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    entries: dict[str, bytes] = {}
    described = []
    for number, (target, linear) in enumerate(sorted(model.models.items())):
        prefix = f"model{number}/"
        blocks = []
        for m, block in enumerate(linear.blocks):
            entries[f"{prefix}block{m}_vocabulary.txt"] = "".join(
                term + "\n" for term in block.vocabulary).encode("utf-8")
            entries[f"{prefix}block{m}_idf.npy"] = _npy(block.idf)
            blocks.append({"kind": block.kind, "size": len(block.vocabulary)})
        entries[f"{prefix}coef.npy"] = _npy(linear.coef)
        entries[f"{prefix}intercept.npy"] = _npy(linear.intercept)
        described.append({"target": target, "classes": list(linear.classes), "blocks": blocks})
    return entries, described


def _digest(entries: Mapping[str, bytes]) -> str:
    hasher = hashlib.sha256()
    for name in sorted(entries):
        hasher.update(name.encode() + b"\x00" + hashlib.sha256(entries[name]).digest())
    return hasher.hexdigest()


def model_bytes(model: StanceModel, metadata: Mapping[str, Any]) -> bytes:
    """The model file's bytes (deterministic: same model and metadata, same bytes)."""
    entries, described = _entries(model)
    meta = {**metadata, "format": FORMAT, "format_version": FORMAT_VERSION,
            "strategy": model.strategy, "trained_targets": list(model.targets),
            "classifiers": described, "entries_sha256": _digest(entries)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [(METADATA, json.dumps(meta, indent=1, sort_keys=True,
                                                 ensure_ascii=False, allow_nan=False)
                            .encode("utf-8") + b"\n"), *sorted(entries.items())]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def save_model(path: str | Path, model: StanceModel, metadata: Mapping[str, Any]) -> None:
    """Write the model file atomically, as every output is written
    (:func:`~framelens.analysis.io.output.write_output`)."""
    write_output(Path(path), model_bytes(model, metadata))


def load_model(path: str | Path) -> LoadedModel:
    """Read a model file, refusing anything that is not a complete, unedited one of this version.

    Nothing in the file is executed: JSON, text and ``.npy`` arrays read with
    ``allow_pickle=False`` only.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError("no such model file", path=path)
    not_one = ("not a framelens stance model (write one with `framelens stance-model train`)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > _MAX_UNPACKED:
                raise ModelFileError("model file unpacks to more than 4 GiB; refused", path=path)
            names = [i.filename for i in infos]
            if METADATA not in names:
                raise ModelFileError(not_one, path=path)
            entries = {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFileError(f"{not_one}; or the file is truncated or damaged ({exc})",
                             path=path) from None
    except Exception as exc:  # zlib errors and friends from a damaged archive
        raise ModelFileError(f"model file is damaged ({type(exc).__name__}: {exc})",
                             path=path) from None
    try:
        meta = json.loads(entries.pop(METADATA).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{not_one}: its metadata is not JSON", path=path) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(not_one, path=path)
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"model file format version {version!r}; this framelens reads "
                             f"version {FORMAT_VERSION} (retrain the model with this framelens, "
                             f"or use the framelens version {meta.get('framelens_version')!r} "
                             "that wrote it)", path=path)
    if meta.get("entries_sha256") != _digest(entries):
        raise ModelFileError("model file was edited or damaged: its contents do not match the "
                             "digest recorded when it was trained", path=path)
    try:
        return LoadedModel(_model_from(meta, entries), meta)
    except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"model file is inconsistent ({type(exc).__name__}: {exc})",
                             path=path) from None


def _array(data: bytes, ndim: int) -> np.ndarray:
    array = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    if array.dtype != np.float64 or array.ndim != ndim or not np.isfinite(array).all():
        raise ValueError("unexpected array")
    return array


def _model_from(meta: dict[str, Any], entries: Mapping[str, bytes]) -> StanceModel:
    models: dict[str, LinearModel] = {}
    for number, described in enumerate(meta["classifiers"]):
        prefix = f"model{number}/"
        blocks = []
        for m, block in enumerate(described["blocks"]):
            if block["kind"] not in _BLOCK_KINDS:
                raise ValueError(f"unknown feature block {block['kind']!r}")
            text = entries[f"{prefix}block{m}_vocabulary.txt"].decode("utf-8")
            vocabulary = tuple(text.split("\n")[:-1]) if text else ()
            idf = _array(entries[f"{prefix}block{m}_idf.npy"], 1)
            if len(vocabulary) != block["size"] or idf.size != block["size"]:
                raise ValueError("vocabulary and idf sizes differ")
            blocks.append(FeatureBlock(block["kind"], vocabulary, idf))
        classes = tuple(int(k) for k in described["classes"])
        coef = _array(entries[f"{prefix}coef.npy"], 2)
        intercept = _array(entries[f"{prefix}intercept.npy"], 1)
        width = sum(len(b.vocabulary) for b in blocks)
        if coef.shape != (len(classes), width) or intercept.shape != (len(classes),):
            raise ValueError("weights do not fit the features")
        if not classes or any(k not in (0, 1, 2) for k in classes):
            raise ValueError("classes out of range")
        models[str(described["target"])] = LinearModel(tuple(blocks), classes, coef, intercept)
    strategy = meta["strategy"]
    if strategy not in ("per_target", "pooled") or (strategy == "pooled" and "" not in models):
        raise ValueError(f"strategy {strategy!r}")
    return StanceModel(strategy, models, tuple(str(t) for t in meta["trained_targets"]))
