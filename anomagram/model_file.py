"""What a .keras file must hold before anything in it is used: checked without Keras.

``anomagram.model.load_detector`` builds the network from the Spec in the file's metadata and
asks these functions first whether the rest of the file agrees with that Spec:

* ``config.json`` must declare exactly the layers ``expected_layers(spec)`` lists (names, kinds,
  units, activations, input widths). Keras would have built whatever it declares: a Dense
  layer of 2,000,000 units in an 81 kB file cost 3.9 GB before Keras refused it. Here it is only
  compared, never built from.
* ``model.weights.h5`` must be about the size those layers imply, and the arrays it declares
  must fit in that size too (HDF5 can declare a gigabyte-sized array that stores nothing on
  disk, and reading it allocates the gigabyte), before Keras reads it.

Each of those returns what is wrong in a few words, or None. The metadata's ``dataset`` block
(what the model was trained on) is checked by :func:`check_dataset`.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

from anomagram.numbers import JsonError, NumberError, parse_int, safe_json_loads, shown

if TYPE_CHECKING:
    from anomagram.model import Half
    from anomagram.spec import Spec

MAX_CONFIG_BYTES = 1_000_000  # the largest network's config.json is about 30 kB
NOT_AN_AUTOENCODER = "its config.json does not describe an Anomagram autoencoder"
# The weights file holds the weights and the optimizer's state: at most two slots per weight
# (Adam, Adamax and Adadelta keep two, RMSprop and momentum one, SGD none) and a few scalars.
OPTIMIZER_SLOTS = 2
# HDF5's own bytes around the arrays: about 1.2 kB per array in files Keras writes, and a
# header; allowed with room to spare so that only a file far bigger than its network is refused.
HDF5_BYTES_PER_ARRAY = 4_000
HDF5_BYTES_BASE = 64_000


class _Differs(Exception):
    """How a config differs from the expected network (the message)."""


def _at(node: object, *path: object) -> object:
    """``node[path[0]][path[1]]...`` of an untrusted JSON value, or ``_Differs``."""
    for key in path:
        in_dict = isinstance(node, dict) and isinstance(key, str) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if not (in_dict or in_list):
            raise _Differs(NOT_AN_AUTOENCODER)
        node = node[key]
    return node


def _names(names: Sequence[object]) -> str:
    listed = ", ".join(shown(n) for n in names[:8])
    return listed + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def _layers(model: object, where: str, expected: list[tuple[str, str]]) -> list:
    """The layers of a functional ``model`` config, checked against (class, name) pairs."""
    if _at(model, "class_name") != "Functional":
        raise _Differs(NOT_AN_AUTOENCODER)
    layers = _at(model, "config", "layers")
    if not isinstance(layers, list):
        raise _Differs(NOT_AN_AUTOENCODER)
    names = [_at(layer, "config", "name") for layer in layers]
    wanted = [name for _, name in expected]
    if names != wanted:
        raise _Differs(
            f"{where} has the layers {_names(names)} where its settings describe "
            f"{', '.join(wanted)}"
        )
    for layer, (kind, name) in zip(layers, expected, strict=True):
        found = _at(layer, "class_name")
        if found != kind:
            raise _Differs(f"layer {name} of {where} is a {shown(found)} layer, not {kind}")
    return layers


def _input_width(layer: object, width: int, where: str) -> None:
    shape = _at(layer, "config", "batch_shape")
    if shape != [None, width]:
        raise _Differs(
            f"the input of {where} has the shape {shown(shape)} where its settings say "
            f"[None, {width}]"
        )


def _check(config: object, halves: Sequence[Half], input_name: str) -> None:
    top = _layers(
        config,
        "its network",
        [("InputLayer", input_name), *(("Functional", half.name) for half in halves)],
    )
    _input_width(top[0], halves[0].width, "its network")
    for entry, half in zip(top[1:], halves, strict=True):
        where = f"its {half.name}"
        expected = [("InputLayer", half.input_name), *(("Dense", d.name) for d in half.layers)]
        layers = _layers(entry, where, expected)
        _input_width(layers[0], half.width, where)
        width = half.width
        for layer, dense in zip(layers[1:], half.layers, strict=True):
            said = f"where its settings say {{}} (layer {dense.name} of {where})"
            units = _at(layer, "config", "units")
            if isinstance(units, bool) or units != dense.units:
                raise _Differs(f"it declares {shown(units)} units " + said.format(dense.units))
            activation = _at(layer, "config", "activation")
            if activation != dense.activation:
                raise _Differs(
                    f"it declares the activation {shown(activation)} "
                    + said.format(repr(dense.activation))
                )
            shape = _at(layer, "build_config", "input_shape")
            if shape != [None, width]:
                raise _Differs(
                    f"it declares inputs of shape {shown(shape)} " + said.format(f"[None, {width}]")
                )
            width = dense.units


def config_problem(
    zf: zipfile.ZipFile, entry: str, halves: Sequence[Half], input_name: str
) -> str | None:
    """How the file's ``config.json`` differs from the network ``halves`` describe, or None."""
    size = zf.getinfo(entry).file_size
    if size > MAX_CONFIG_BYTES:
        return f"its config.json is {size:,} bytes, far more than any Anomagram network needs"
    try:
        config = safe_json_loads(zf.read(entry), "its config.json", MAX_CONFIG_BYTES)
        _check(config, halves, input_name)
    except JsonError as exc:
        return str(exc).rstrip(".")
    except _Differs as exc:
        return str(exc)
    return None


def _declared_bytes(zf: zipfile.ZipFile, entry: str) -> int:
    """Bytes that every array in an HDF5 zip entry would take once read, from its headers."""
    import h5py

    total = 0

    def add(_name, obj):
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            total += int(obj.size or 0) * obj.dtype.itemsize

    with zf.open(entry) as raw, h5py.File(raw, "r") as h5:
        h5.visititems(add)
    return total


def weights_problem(
    zf: zipfile.ZipFile, entry: str, n_weights: int, halves: Sequence[Half]
) -> str | None:
    """Whether the weights entry is the size ``n_weights`` float32 weights imply, or what not."""
    n_layers = sum(len(half.layers) for half in halves)
    arrays = 2 * n_layers * (1 + OPTIMIZER_SLOTS) + 2  # kernel and bias, their slots, scalars
    most = 4 * n_weights * (1 + OPTIMIZER_SLOTS) + 64
    size = zf.getinfo(entry).file_size
    if size < 4 * n_weights:
        return (
            f"its weights file is {size:,} bytes, too small for the {n_weights:,} weights "
            "its settings describe"
        )
    if size > most + HDF5_BYTES_BASE + HDF5_BYTES_PER_ARRAY * arrays:
        return (
            f"its weights file is {size:,} bytes, far more than the {n_weights:,} weights "
            "its settings describe need"
        )
    try:
        declared = _declared_bytes(zf, entry)
    except Exception:  # h5py raises OSError, ValueError, KeyError... for broken files
        return "its weights file is damaged"
    if declared > most:
        return (
            f"its weights file declares {declared:,} bytes of arrays, far more than the "
            f"{n_weights:,} weights its settings describe need"
        )
    return None


# --- the dataset block of the metadata ----------------------------------------------------------


DATASET_TEXT = 80  # the longest name, label or class name kept from a model file
DATASET_ORIGIN_TEXT = 200
MAX_DATASET_CLASSES = 100  # sources accept 20 labels; room for what a later version allows
MAX_DATASET_ROWS = 10**9


def _clean_text(value: object, what: str, limit: int = DATASET_TEXT) -> str:
    """A string of the metadata: control characters (a newline that starts a new markdown
    block, a right-to-left override) become spaces and it is cut to ``limit`` characters.
    Pages still escape it as markdown: this only bounds what a file can put on a page."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {shown(value)}.")
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") else c for c in value
    ).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(value: object, what: str, high: int = MAX_DATASET_ROWS) -> int:
    number = parse_int(value, what)
    if not 0 <= number <= high:
        raise NumberError(f"{what} must be between 0 and {high:,}, not {shown(value)}.")
    return number


def _labels(value: object, what: str, read) -> dict[str, object]:
    """A JSON object keyed by class label (as the data wrote it), each value read by ``read``."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object, not {shown(value)}.")
    if len(value) > MAX_DATASET_CLASSES:
        raise ValueError(f"{what} lists {len(value):,} classes; at most {MAX_DATASET_CLASSES}.")
    out: dict[str, object] = {}
    for label, item in value.items():
        out[_clean_text(label, f"A class label in {what.lower()}")] = read(item)
    return out


def check_dataset(block: object, spec: Spec) -> dict | None:
    """The ``dataset`` block of a model file (``sources.describe`` plus optional
    ``class_names``, label -> name), checked like everything else in a file anyone can upload.

    Texts are cleaned and shortened (:func:`_clean_text`), numbers go through
    ``anomagram.numbers``, a field of the wrong kind is refused with a sentence that names it,
    and fields this version does not know are left out. The block must describe the data the
    Spec names: the same dataset key and the same length. None (no block) stays None.
    """
    if block is None:
        return None
    if not isinstance(block, dict):
        raise ValueError(f"its dataset must be a JSON object, not {shown(block)}.")
    key = block.get("key", spec.dataset)
    if key != spec.dataset:
        raise ValueError(
            f"its dataset {shown(key)} is not the one its settings name ({spec.dataset})."
        )
    length = parse_int(block.get("length", spec.length), "The dataset's length")
    if length != spec.length:
        raise ValueError(
            f"its dataset has {length} samples per beat where its settings say {spec.length}."
        )
    labelled = block.get("labelled", True)
    if not isinstance(labelled, bool):
        raise ValueError(f"The dataset's labelled must be true or false, not {shown(labelled)}.")
    out = {
        "name": _clean_text(block.get("name", spec.dataset), "The dataset's name"),
        "key": spec.dataset,
        "length": length,
        "native_length": _count(
            block.get("native_length", length), "The dataset's native length", 10**8
        ),
        "rows": _count(block.get("rows", 0), "The dataset's rows"),
        "labelled": labelled,
        "normal_class": _clean_text(block.get("normal_class", ""), "The dataset's normal class"),
        "counts": _labels(
            block.get("counts", {}),
            "The dataset's counts",
            lambda n: _count(n, "A class count"),
        ),
        "origin": _clean_text(block.get("origin", ""), "The dataset's origin", DATASET_ORIGIN_TEXT),
    }
    if "class_names" in block:
        out["class_names"] = _labels(
            block["class_names"],
            "The dataset's class names",
            lambda name: _clean_text(name, "A class name"),
        )
    return out
