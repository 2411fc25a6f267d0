"""A whole model, as one line of framework constructors joined by ``>``.

    Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')
    nn.Embedding(10000, 300) > nn.LSTM(300, 128, bidirectional=True) > nn.Linear(256, 5)

The line is parsed, never run: Python's own parser turns it into a syntax tree and only calls
with literal arguments (numbers, strings, booleans, None, tuples, lists) are accepted; anything
else is refused with the column where it starts. Every argument is bound to the framework's
own signature (:mod:`rnnquiz.description.signatures`), defaults filled in, so the calculator
and the witness read the same description and each interprets it by its own equations.

Sizes are not checked against each other here (what a layer receives is for the calculator and
the witness to work out); only each argument on its own.
"""

from __future__ import annotations

from rnnquiz.description import modelsyntax
from rnnquiz.description.signatures import (
    FRAMEWORKS,
    KERAS_ACTIVATION_NAMES,
    KERAS_ALIASES,
    KERAS_COMMON,
    REQUIRED,
)
from rnnquiz.errors import ModelError

_PREFIXES = {"keras": ("tf.keras.layers.", "tensorflow.keras.layers.", "keras.layers.",
                       "layers.", "tf.keras.", "keras."),
             "pytorch": ("torch.nn.", "nn.")}
_EQUIVALENT = {"pytorch": {"Dense": "PyTorch calls it nn.Linear(in_features, out_features)",
                           "SimpleRNN": "PyTorch calls it nn.RNN"},
               "keras": {"Linear": "Keras calls it Dense(units)", "RNN": "Keras calls it "
                         "SimpleRNN(units); nn.RNN is PyTorch's"}}
MAX_LINE = 20_000  # characters; a model line is a few hundred
MAX_LAYERS = 1_000
_ast = None  # Python's syntax tree module, loaded by _python_parser() when a line needs it


class Layer:
    """One layer constructor, bound to its framework's signature.

    ``kind`` is the class name without prefix (``"LSTM"``), ``args`` maps every parameter
    name of the framework's signature to its value (defaults filled in), ``given`` holds the
    names the user wrote, ``inner`` is the wrapped layer of Bidirectional / TimeDistributed.
    """

    __slots__ = ("kind", "framework", "args", "given", "inner", "column", "text")

    def __init__(self, kind, framework, args, given, inner=None, column=None, text=""):
        self.kind = kind
        self.framework = framework
        self.args = args
        self.given = frozenset(given)
        self.inner = inner
        self.column = column
        self.text = text

    def __getitem__(self, name):
        return self.args[name]

    def __repr__(self):
        return f"Layer({self.text or self.kind!r})"


class ModelSpec:
    """A model: its framework, its layers in order, and the input shape given (batch axis left
    out; None where a size is open, e.g. ``(None, 32)`` for T open), or None if not given."""

    __slots__ = ("framework", "layers", "input_shape", "text", "notes")

    def __init__(self, framework, layers, input_shape=None, text="", notes=()):
        self.framework = framework
        self.layers = tuple(layers)
        self.input_shape = input_shape
        self.text = text
        self.notes = tuple(notes)

    def __repr__(self):
        return f"ModelSpec({self.framework!r}, {self.layers!r}, input_shape={self.input_shape})"


# --- reading the line ---------------------------------------------------------------------

def parse_model(text: str, framework: str | None = None) -> ModelSpec:
    """Parse one model line; ``framework`` ("keras" or "pytorch") decides bare names."""
    layers, source = parse_layers(text, framework)
    return assemble(layers, framework, source)


def parse_layers(text: str, framework: str | None = None):
    """(the bound layers of a line, not yet a model, the stripped line): a file's lines are
    read one by one, so a line may hold Input alone."""
    if not isinstance(text, str):
        raise ModelError(f"a model is a line of text, got {type(text).__name__}")
    if len(text) > MAX_LINE:
        raise ModelError(f"the model line is {len(text):,} characters long; the limit is "
                         f"{MAX_LINE:,}")
    source = text.strip()
    if not source:
        raise ModelError("the model line is empty: write layers joined by '>', e.g. "
                         "\"Embedding(5000, 32) > LSTM(100) > Dense(1)\"")
    plain = modelsyntax.calls(source)
    if plain is not None and len(plain) <= MAX_LAYERS:
        try:
            return [_bind_call(call, source, framework) for call in plain], source
        except ModelError:
            pass  # Python's parser reads the line again and words the error
    return python_layers(source, framework), source


def python_layers(source: str, framework: str | None = None) -> list:
    """The bound layers of a stripped line as Python's parser reads it: every line the plain
    reader leaves, and every error's wording."""
    _python_parser()
    try:
        tree = compile(source, "<model>", "eval", _ast.PyCF_ONLY_AST)
    except SyntaxError as e:
        raise ModelError(f"not a model line ({e.msg}); write layers joined by '>'",
                         e.offset) from None
    except (ValueError, RecursionError, MemoryError):
        raise ModelError("not a model line: write layers joined by '>'") from None
    line = _Line(source)
    calls = _chain(tree.body, line)
    if len(calls) > MAX_LAYERS:
        raise ModelError(f"{len(calls):,} layers; the limit is {MAX_LAYERS:,}")
    return [line.layer(node, framework) for node in calls]


def _python_parser():
    """Load Python's syntax tree module (about 1.3 ms: only for lines outside the plain form
    that :mod:`rnnquiz.description.modelsyntax` reads)."""
    global _ast
    import _ast


def _bind_call(call, source, framework) -> Layer:
    """A layer from a :class:`~rnnquiz.description.modelsyntax.Call`, bound as
    :meth:`_Line.layer` binds the same call read by Python's parser. A value the parser's
    reading would refuse raises ModelError, so that the parser's reading words it."""
    fw, kind = _resolve(call.name, framework, call.start + 1)

    def value_of(value, kind_):
        if (kind_ == "layer") != isinstance(value, modelsyntax.Call):
            raise ModelError("a layer where a value belongs, or a value where a layer does")
        if kind_ == "layer":
            return _bind_call(value, source, framework if framework else fw)
        return value

    positional = [(value, start + 1) for value, start in call.args]
    keywords = [(name, value, start + 1) for name, value, start in call.keywords]
    return _bind(fw, kind, positional, keywords, value_of, call.start + 1,
                 source[call.start:call.end])


def assemble(layers, framework=None, text="") -> ModelSpec:
    """The model of bound layers: one framework, the input taken from Input or the first
    layer's Keras 2 keywords."""
    frameworks = {layer.framework for layer in layers}
    if len(frameworks) > 1:
        pytorch = next(layer for layer in layers if layer.framework == "pytorch")
        raise ModelError(f"{pytorch.text or pytorch.kind} is PyTorch but the model also has "
                         "Keras layers: write one framework's layers", pytorch.column)
    fw = frameworks.pop() if frameworks else (framework or "keras")
    notes = []
    input_shape = None
    if layers and layers[0].kind == "Input":
        first = layers.pop(0)
        input_shape = _input_layer_shape(first)
    for k, layer in enumerate(layers):
        if layer.kind == "Input":
            raise ModelError("Input(...) must come first: it gives the model's input shape, it "
                             "is not a layer", layer.column)
        if fw == "keras":
            shape = _keras2_input(layer)
            if shape is not None:
                if k == 0 and input_shape is None:
                    input_shape = shape
                else:
                    notes.append(f"{layer.text or layer.kind}: Keras reads input_shape / "
                                 "input_dim only on the first layer; ignored here")
    if not layers:
        raise ModelError("the model has no layers (Input alone is not a layer)")
    return ModelSpec(fw, layers, input_shape, text, notes)


class _Line:
    """The source line, for columns and the text of each call."""

    def __init__(self, source):
        self.source = source
        self.data = source.encode("utf-8")

    def column(self, node) -> int:
        return len(self.data[: node.col_offset].decode("utf-8", "ignore")) + 1

    def segment(self, node) -> str:
        end = getattr(node, "end_col_offset", None)
        return self.data[node.col_offset:end].decode("utf-8", "ignore")

    def layer(self, node, framework) -> Layer:
        if not isinstance(node, _ast.Call):
            raise ModelError(f"expected a layer constructor such as LSTM(100), found "
                             f"{self.segment(node)!r}", self.column(node))
        fw, kind = _resolve(_dotted(node.func, self), framework, self.column(node))
        positional = []
        for arg in node.args:
            if isinstance(arg, _ast.Starred):
                raise ModelError("*arguments are not read: write each argument",
                                 self.column(arg))
            positional.append((arg, self.column(arg)))
        keywords = []
        for kw in node.keywords:
            if kw.arg is None:
                raise ModelError("**arguments are not read: write each argument",
                                 self.column(kw))
            keywords.append((kw.arg, kw.value, self.column(kw.value)))
        values = lambda n, kind_: (self.layer(n, framework if framework else fw)  # noqa: E731
                                   if kind_ == "layer" else _literal(n, self))
        return _bind(fw, kind, positional, keywords, values, self.column(node),
                     self.segment(node))


def _chain(node, line):
    if isinstance(node, _ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if not isinstance(op, _ast.Gt):
                raise ModelError("layers are joined by '>' only", line.column(right))
        return [node.left, *node.comparators]
    return [node]


def _dotted(node, line) -> str:
    parts = []
    while isinstance(node, _ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, _ast.Name):
        raise ModelError("a layer is named by its class, e.g. LSTM or nn.LSTM",
                         line.column(node))
    parts.append(node.id)
    return ".".join(reversed(parts))


def _resolve(name, framework, column):
    """'nn.LSTM' -> ('pytorch', 'LSTM'); unknown names suggest the closest known one."""
    for fw, prefixes in _PREFIXES.items():
        for prefix in prefixes:
            if name.startswith(prefix):
                bare = name[len(prefix):]
                return fw, _known(fw, bare, column, name)
    fw = framework or "keras"
    return fw, _known(fw, name, column, name)


def _known(fw, bare, column, written):
    table = FRAMEWORKS[fw]
    if fw == "keras":
        bare = KERAS_ALIASES.get(bare, bare)
    if bare in table:
        return bare
    other = "pytorch" if fw == "keras" else "keras"
    hint = ""
    if bare in _EQUIVALENT.get(fw, {}):
        hint = f" ({_EQUIVALENT[fw][bare]})"
    elif bare in FRAMEWORKS[other]:
        prefix = "nn." if other == "pytorch" else ""
        hint = (f" (in PyTorch write {prefix}{bare})" if other == "pytorch"
                else f" ({bare} is Keras's name; PyTorch has no such module here)")
    else:
        import difflib

        close = difflib.get_close_matches(bare, list(table), n=1, cutoff=0.6)
        lowered = {k.lower(): k for k in table}
        if bare.lower() in lowered:
            close = [lowered[bare.lower()]]
        if close:
            hint = f" (did you mean {close[0]}?)"
    what = "Keras layer" if fw == "keras" else "PyTorch module"
    raise ModelError(f"unknown {what} {written!r}{hint}", column)


def _literal(node, line):
    """The value of a literal argument; anything that would need running is refused."""
    if isinstance(node, _ast.Constant):
        if isinstance(node.value, (bool, int, float, str)) or node.value is None:
            return node.value
    elif isinstance(node, (_ast.Tuple, _ast.List)):
        return tuple(_literal(e, line) for e in node.elts)
    elif (isinstance(node, _ast.UnaryOp) and isinstance(node.op, (_ast.USub, _ast.UAdd))
          and isinstance(node.operand, _ast.Constant)
          and type(node.operand.value) in (int, float)):
        value = node.operand.value
        return -value if isinstance(node.op, _ast.USub) else value
    raise ModelError(f"only literal arguments are read (numbers, strings, True/False/None, "
                     f"tuples, lists), not {line.segment(node)!r}", line.column(node))


# --- binding arguments to the framework's signature --------------------------------------

def signature(fw: str, kind: str):
    """(name, kind, default) for every parameter the layer accepts, in positional order."""
    params = FRAMEWORKS[fw][kind]
    if fw == "keras" and kind != "Input":
        own = {p[0] for p in params}
        params = params + tuple(p for p in KERAS_COMMON if p[0] not in own)
    return params


def _bind(fw, kind, positional, keywords, value_of, column, text) -> Layer:
    params = signature(fw, kind)
    names = [p[0] for p in params]
    label = kind if fw == "keras" else f"nn.{kind}"
    # Keras layers take their own parameters positionally, the common keywords by name only.
    positional_limit = len(FRAMEWORKS[fw][kind])
    if len(positional) > positional_limit:
        node, col = positional[positional_limit]
        raise ModelError(f"{label} takes at most {positional_limit} positional "
                         f"argument{'s' if positional_limit != 1 else ''}", col)
    raw = {}
    for (node, col), name in zip(positional, names, strict=False):
        raw[name] = (node, col)
    for name, node, col in keywords:
        if name not in names:
            raise ModelError(_unknown_argument(label, name, names), col)
        if name in raw:
            raise ModelError(f"{label} got two values for {name!r}", col)
        raw[name] = (node, col)
    args = {}
    for name, ptype, default in params:
        if name in raw:
            node, col = raw[name]
            args[name] = _check(label, name, ptype, value_of(node, ptype), col)
        elif default is REQUIRED:
            raise ModelError(f"{label} needs {name!r} (missing)", column)
        else:
            args[name] = default
    inner = args.get("layer") if kind in ("Bidirectional", "TimeDistributed") else None
    _fill_strides(kind, args)
    return Layer(kind, fw, args, raw, inner, column, text)


def _unknown_argument(label, name, names):
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{label} has no argument {name!r}{hint}"


def _fill_strides(kind, args):
    """Pooling's stride defaults to its window (Keras strides=None, PyTorch stride=None)."""
    if kind in ("MaxPooling1D", "AveragePooling1D") and args["strides"] is None:
        args["strides"] = args["pool_size"]
    if kind in ("MaxPool1d", "AvgPool1d") and args["stride"] is None:
        args["stride"] = args["kernel_size"]


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check(label, name, ptype, value, column):
    """The value if it fits the parameter's kind, normalised (sizes as int or tuple)."""
    optional = ptype.endswith("?")
    base = ptype.rstrip("?")
    if value is None and optional:
        return None

    def bad(expected):
        return ModelError(f"{label}: {name} must be {expected}, got {value!r}", column)

    if base == "any":
        return value
    if base == "layer":
        if not isinstance(value, Layer):
            raise bad("a layer, e.g. LSTM(64)")
        return value
    if base in ("int", "int0"):
        low = 1 if base == "int" else 0
        if not _is_int(value) or value < low:
            raise bad("a positive integer" if low else "an integer >= 0")
        return value
    if base == "index":
        if not _is_int(value):
            raise bad("an integer")
        return value
    if base == "num":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        return value
    if base == "act":
        if not isinstance(value, str):
            raise bad("a string")
        if value not in KERAS_ACTIVATION_NAMES:
            import difflib

            close = difflib.get_close_matches(value.lower(), sorted(KERAS_ACTIVATION_NAMES), n=1)
            hint = (" (it halves the features; not read here)" if value == "glu" else
                    f" (did you mean {close[0]!r}?)" if close else "")
            raise ModelError(f"{label}: unknown activation {value!r}{hint}; Keras knows "
                             + ", ".join(sorted(KERAS_ACTIVATION_NAMES)), column)
        return value
    if base == "rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise bad("a probability from 0 to 1")
        return value
    if base == "bool":
        if not isinstance(value, bool):
            raise bad("True or False")
        return value
    if base == "str":
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if base == "shape":
        if not isinstance(value, tuple) or not all(
                v is None or (_is_int(v) and v > 0) for v in value):
            raise bad("a tuple of positive integers (None for an open size)")
        return value
    if base == "target":
        if not isinstance(value, tuple) or not value or value.count(-1) > 1 or not all(
                _is_int(v) and (v > 0 or v == -1) for v in value):
            raise bad("a tuple of positive integers, one of which may be -1")
        return value
    if base in ("size1", "size2"):
        count = 1 if base == "size1" else 2
        if _is_int(value) and value > 0:
            return value if count == 1 else (value, value)
        if (isinstance(value, tuple) and len(value) == count
                and all(_is_int(v) and v > 0 for v in value)):
            return value[0] if count == 1 else value
        raise bad("a positive integer" if count == 1 else "a positive integer or a pair")
    if base == "axis":
        if _is_int(value) or (isinstance(value, tuple) and value
                              and all(_is_int(v) for v in value)):
            return value
        raise bad("an axis (an integer)")
    if base == "normshape":
        if _is_int(value) and value > 0:
            return (value,)
        if isinstance(value, tuple) and value and all(_is_int(v) and v > 0 for v in value):
            return value
        raise bad("a positive integer or a tuple of them")
    raise AssertionError(f"unknown parameter kind {ptype}")  # pragma: no cover


# --- the input shape -------------------------------------------------------------------

def _input_layer_shape(layer):
    if layer["batch_shape"] is not None:
        return tuple(layer["batch_shape"][1:])
    if layer["shape"] is None:
        raise ModelError("Input needs shape=(...), e.g. Input(shape=(100, 8))", layer.column)
    return tuple(layer["shape"])


def _keras2_input(layer):
    """The input shape a Keras 2 style first layer states (input_shape, input_dim...), or None."""
    carrier = layer
    if layer.inner is not None and not _states_input(layer):
        carrier = layer.inner
    args = carrier.args
    if args.get("input_shape") is not None:
        return tuple(args["input_shape"])
    if args.get("batch_input_shape") is not None:
        return tuple(args["batch_input_shape"][1:])
    length = args.get("input_length")
    if carrier.kind == "Embedding":
        return (length,) if length is not None else None
    dim = args.get("input_dim")
    if dim is None:
        return None if length is None else (length, None)
    if carrier.kind == "Dense" and length is None:
        return (dim,)
    return (length, dim)


def _states_input(layer):
    return any(layer.args.get(k) is not None
               for k in ("input_shape", "batch_input_shape", "input_dim", "input_length"))
