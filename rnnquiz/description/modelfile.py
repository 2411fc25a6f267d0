"""A whole model from a file: YAML or JSON, or a Keras model config.

Accepted forms (read without Keras or TensorFlow):

- a list of constructor lines: ``["Embedding(5000, 32)", "LSTM(100)", "Dense(1)"]``;
- a list of mappings with the framework's argument names, the class under ``class_name``
  (``{class_name: LSTM, units: 100, return_sequences: true}``) or as the only key
  (``{LSTM: {units: 100}}``); a wrapper's ``layer`` is such a mapping (or a line) too;
- either of those under ``layers:``, with an optional ``framework: keras|pytorch``;
- a Keras Sequential config as ``model.to_json()`` writes it, or a ``.keras`` file (the
  ``config.json`` inside). Keys a config carries that never change a count (initialisers,
  dtype policies, build configs) are passed over.
"""

from __future__ import annotations

import os
import stat

from rnnquiz.description.model import (
    Layer,
    _bind,
    _resolve,
    assemble,
    parse_layers,
    parse_model,
    signature,
)
from rnnquiz.errors import ModelError

MAX_BYTES = 1 << 20  # 1 MiB: a model file is a few kilobytes


def load_model_file(path, framework: str | None = None):
    """The :class:`~rnnquiz.description.model.ModelSpec` a file describes."""
    path = os.fspath(path)
    data = _read_regular(path, MAX_BYTES, archive=path.endswith(".keras"))
    if data is None:  # a .keras (zip) archive: only its config.json is read, not its weights
        data = _config_from_keras_archive(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not UTF-8 text") from None
    content = _load_text(text, path)
    return model_from_data(content, framework, where=path)


def plain_model_file(path, framework: str | None = None):
    """The ModelSpec of a model file in the shapes :mod:`rnnquiz.description.plaindata` reads
    without json or yaml, or None: for any other file and for every fault, which
    :func:`load_model_file` then reads and words."""
    from rnnquiz.description.plaindata import UNSURE, loads

    path = os.fspath(path)
    if path.endswith(".keras"):
        return None
    try:
        data = _read_regular(path, MAX_BYTES)
        if data is None:
            return None
        text = data.decode("utf-8")
    except (ModelError, UnicodeDecodeError, ValueError):  # ValueError: a NUL in the path
        return None
    content = loads(text, path.endswith(".json") or text.lstrip().startswith(("{", "[")))
    if content is UNSURE:
        return None
    try:
        return model_from_data(content, framework, where=path)
    except ModelError:
        return None


def _read_regular(path, limit, archive=False):
    """The bytes of the regular file ``path`` (at most ``limit``), or None for a zip archive
    (a ``.keras`` file: ``archive`` True, or content starting with the zip signature), whose
    size says nothing about its config: the weights it also holds are any size."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise ModelError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ModelError(f"{path}: not a regular file")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            if not chunks and (archive or chunk[:2] == b"PK"):
                return None
            size += len(chunk)
            if size > limit:
                raise ModelError(f"{path}: larger than {limit:,} bytes; a model file is a few "
                                 "kilobytes")
            chunks.append(chunk)
        return None if archive and not chunks else b"".join(chunks)
    finally:
        os.close(fd)


def _config_from_keras_archive(path):
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_BYTES:
                raise ModelError(f"{path}: its config.json is larger than {MAX_BYTES:,} bytes")
            return archive.read(info)
    except KeyError:
        raise ModelError(f"{path}: a .keras file holds config.json, this one does not") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelError(f"{path}: not a .keras archive ({e})") from None


def _load_text(text, path):
    stripped = text.lstrip()
    if path.endswith(".json") or stripped.startswith(("{", "[")):
        import json

        try:
            return json.loads(text)
        except (ValueError, RecursionError) as e:
            if path.endswith(".json"):
                raise ModelError(f"{path}: not valid JSON ({e})") from None
    # The same bounded loader as templates: aliases, depth and expanded size are limited.
    from rnnquiz.datafiles import DataFileError, load_yaml

    try:
        return load_yaml(text, path)
    except DataFileError as e:
        raise ModelError(str(e)) from None


def model_from_data(content, framework=None, where="model"):
    """The model a loaded YAML/JSON value describes (see the module's docstring)."""
    if isinstance(content, dict) and content.get("class_name") in ("Sequential", "Functional",
                                                                    "Model"):
        return _from_keras_config(content, where)
    if isinstance(content, dict) and "layers" in content:
        framework = content.get("framework", framework)
        if framework not in (None, "keras", "pytorch"):
            raise ModelError(f"{where}: framework must be keras or pytorch, got {framework!r}")
        content = content["layers"]
    if not isinstance(content, list) or not content:
        raise ModelError(f"{where}: expected a list of layers (constructor lines or mappings), "
                         "a mapping with 'layers', or a Keras model config")
    layers = []
    for k, item in enumerate(content):
        here = f"{where}: layers[{k}]"
        if isinstance(item, str):
            try:
                parsed = parse_layers(item, framework)[0]
            except ModelError as e:
                raise ModelError(f"{here}: {e}") from None
            layers.extend(_prefixed(parsed, here, item))
        elif isinstance(item, dict):
            layers.append(_from_mapping(item, framework, here, strict=True))
        else:
            raise ModelError(f"{here}: expected a constructor line or a mapping, got "
                             f"{type(item).__name__}")
    return _assembled(layers, framework, where)


def _prefixed(layers, here, item):
    if not layers:
        raise ModelError(f"{here}: no layer in {item!r}")
    return layers


def _assembled(layers, framework, where):
    try:
        return assemble(list(layers), framework, where)
    except ModelError as e:
        raise ModelError(f"{where}: {e.reason}") from None


def _from_mapping(item, framework, here, *, strict):
    """A layer from ``{class_name: X, arg: value...}`` or ``{X: {arg: value...}}``."""
    if "class_name" in item:
        kind = item["class_name"]
        if not strict and "config" in item:
            args = item["config"]
        else:
            args = {k: v for k, v in item.items() if k != "class_name"}
    elif len(item) == 1:
        kind, args = next(iter(item.items()))
        args = {} if args is None else args
    else:
        raise ModelError(f"{here}: name the layer with class_name (e.g. class_name: LSTM)")
    if not isinstance(kind, str) or not isinstance(args, dict):
        raise ModelError(f"{here}: expected class_name and the layer's arguments")
    source = f"{kind}(...)"
    try:
        fw, bare = _resolve(kind, framework, None)
        names = {p[0] for p in signature(fw, bare)}
        keywords = []
        for name, value in args.items():
            if name not in names and not strict:
                continue  # a config key that never changes a count
            keywords.append((name, value, None))

        def value_of(value, ptype):
            if ptype == "layer":
                if isinstance(value, str):
                    layers = parse_model(value, fw).layers
                    if len(layers) != 1:
                        raise ModelError(f"{here}: a wrapper holds one layer")
                    return layers[0]
                if isinstance(value, dict):
                    return _from_mapping(value, fw, f"{here}.layer", strict=strict)
                return value
            return _plain(value)

        return _bind(fw, bare, [], keywords, value_of, None, source)
    except ModelError as e:
        raise ModelError(f"{here}: {e.reason}") from None


def _plain(value):
    """YAML/JSON lists become tuples, as literal tuples do in a line."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def _from_keras_config(content, where):
    if content.get("class_name") != "Sequential":
        raise ModelError(f"{where}: only Sequential Keras models are read, this is a "
                         f"{content.get('class_name')} model")
    config = content.get("config")
    raw = config.get("layers") if isinstance(config, dict) else config
    if not isinstance(raw, list):
        raise ModelError(f"{where}: a Sequential config has config.layers")
    layers = []
    for k, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("config"), dict):
            raise ModelError(f"{where}: layers[{k}] has no class_name and config")
        layers.append(_config_layer(item, f"{where}: layers[{k}]"))
    return _assembled(layers, "keras", where)


def _config_layer(item, here) -> Layer:
    kind, config = item.get("class_name"), dict(item["config"])
    if kind in ("Bidirectional", "TimeDistributed") and isinstance(config.get("layer"), dict):
        inner = _config_layer(config["layer"], f"{here}.layer")
        config["layer"] = inner
    if kind == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    return _from_mapping({"class_name": kind, "config": config}, "keras", here, strict=False)
