"""Find, load and validate problem templates (YAML files of wording and parameter ranges).

Templates are data, never code: YAML is read with a bounded safe loader (``rnnquiz.datafiles``:
regular files only, at most 1 MiB, aliases and nesting bounded; syntax errors carry line and
column), the schema is declared once below, placeholders may only name
the template's values, and every range is bounded so a hostile file cannot make generation hang
or exhaust memory. Every error names the file and the field::

    problems/counts.yaml: templates[2].params.m: expected [low, high] of positive
    integers up to 1,000,000,000, got 'ten'

"""

from __future__ import annotations

import re
import string
from pathlib import Path

from rnnquiz.datafiles import MAX_FILE_BYTES, DataFileError, load_yaml, read_text
from rnnquiz.description.network import CELLS, CONVENTIONS, LAYOUTS
from rnnquiz.drill.indexed import indexed_items
from rnnquiz.drill.models import MODEL_QUANTITIES, OUTPUTS, TOTALS
from rnnquiz.errors import RnnquizError

MAX_TEMPLATES_PER_FILE = 500
MAX_TEXT = 2000
MAX_CHOICES = 100
ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")

# Parameter name -> (kind, bound): ints are checked against [1, bound].
PARAMS = {
    "m": ("int", 10**9), "n": ("int", 10**9), "p": ("int", 10**9), "T": ("int", 10**6),
    "layers": ("int", 8), "proj_size": ("int", 10**9),
    "cell": ("choice", CELLS), "convention": ("choice", CONVENTIONS),
    "layout": ("choice", LAYOUTS), "activation": ("choice", ACTIVATIONS),
    "bidirectional": ("bool", None), "bias": ("bool", None), "reset_after": ("bool", None),
}

# What a template may ask, and the options each quantity takes.
QUANTITIES = {
    "shape": {"tensor"},
    "parameters": {"tensor"},
    "total": {"bias"},
    "size": {"of", "bias"},
    "T_changes_count": set(),
    "activation_changes_count": set(),
    "steps": set(),
    "recurrent_applications": set(),
    "hidden_states": {"include_h0"},
    "multiply_adds": {"output"},
    "forward": {"of", "decimals"},
    "gradient": {"of", "decimals", "h0"},
    "gradient_factor": set(),
    "stored_values": set(),
    "gradient_terms": {"tensor"},
}
ASK_OPTIONS = {"quantity", "format", "tensor", "bias", "of", "include_h0", "output", "decimals",
               "h0", "which", "layer"}
# A template with a ``model`` line names its own parameters (V, d, u, ...): integers up to
# MODEL_BOUND or short words (a merge_mode, a layer name, True), filled into the line, which
# then goes through the same ``ast`` parser as ``rnnquiz count MODEL`` (literals only, never
# evaluated). Such a template asks one of MODEL_QUANTITIES.
MODEL_PARAM = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")
MODEL_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,19}")
MODEL_BOUND = 10**6
MAX_MODEL_LAYER = 100
FORWARD_VALUES = ("h_1", "h_2", "h_3", "y_1", "y_2", "y_3")
# Values a question may name besides its parameters (computed, never written in YAML).
DERIVED = ("total", "total_with_bias", "total_without_bias", "W_xh", "W_hh", "W_hy",
           "x_1", "x_2", "x_3", "target", "h_0")
TEMPLATE_KEYS = {"id", "skill", "title", "difficulty", "params", "distinct", "question",
                 "hints", "ask", "figure", "model"}
# A figure the question is about (rnnquiz.drill.figure draws it): its kind, the matrix whose
# arrows are highlighted, those whose shapes and counts are drawn as "?", and a wording
# without the figure for formats that cannot hold images (GIFT, practice in a terminal).
FIGURE_KINDS = ("unrolled", "grid")
FIGURE_KEYS = {"kind", "highlight", "hide", "text"}
FIGURE_MATRICES = ("W_xh", "W_hh", "W_hy", "biases")
REQUIRED_KEYS = ("id", "skill", "title", "params", "question", "ask")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # used with fullmatch: "$" takes "x\n"


class TemplateError(RnnquizError):
    """One or more templates are invalid; ``errors`` lists every message."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))

    def __reduce__(self):  # pickled by its own argument (a worker process sends it back)
        return (type(self), (self.errors,))


class Template:
    """A validated template: wording, parameter specs and what is asked."""

    __slots__ = ("id", "skill", "title", "difficulty", "params", "distinct", "question",
                 "hints", "ask", "figure", "source", "model")

    def __init__(self, data: dict, source: str):
        self.id = data["id"]
        self.skill = data["skill"]
        self.title = data["title"]
        self.difficulty = data.get("difficulty", 1)
        self.params = dict(data["params"])
        self.model = data.get("model")  # a model line with placeholders, or None
        sizes = [k for k in ("m", "n", "p") if isinstance(self.params.get(k), list | dict)
                 and not same_as(self.params[k]) and self.model is None]
        self.distinct = tuple(data.get("distinct", sizes))
        self.question = data["question"].strip()
        self.hints = tuple(data.get("hints", ()))
        self.ask = dict(data["ask"])
        self.figure = dict(data["figure"]) if "figure" in data else None
        self.source = source

    def choices_of(self, name):
        """The values a parameter can take, or None for a range."""
        spec = self.params.get(name)
        if same_as(spec):
            return self.choices_of(spec["same_as"])
        if isinstance(spec, dict):
            return list(spec["choices"])
        if isinstance(spec, list):
            return None
        return [spec]

    def __repr__(self):
        return f"Template({self.id!r})"


def same_as(spec):
    """The parameter a ``{same_as: m}`` spec copies (min-char-rnn predicts its own inputs:
    p = m), or None for any other spec."""
    return spec.get("same_as") if isinstance(spec, dict) else None


def _is_int(value, low: int, high: int) -> bool:
    """True for an int in [low, high]; False for a bool (True == 1) or a float (2.0 == 2)."""
    return type(value) is int and low <= value <= high


def _got(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _check_param(name, spec, where, errors):
    kind, bound = PARAMS[name]
    if kind == "int":
        def ok(v):
            return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= bound
        expected = f"positive integers up to {bound:,}"
        if name == "proj_size":
            ok_zero = ok
            def ok(v):  # noqa: E306 - proj_size 0 means no projection
                return (type(v) is int and v == 0) or ok_zero(v)
    elif kind == "bool":
        def ok(v):
            return isinstance(v, bool)
        expected = "true or false"
    else:
        def ok(v):
            return v in bound
        expected = f"one of {', '.join(bound)}"
    if isinstance(spec, list):
        if kind != "int":
            errors.append(f"{where}: expected a value or {{choices: [...]}}, got a list "
                          "(ranges [low, high] are for integers)")
        elif len(spec) != 2 or not all(ok(v) for v in spec):
            errors.append(f"{where}: expected [low, high] of {expected}, got {_got(spec)}")
        elif spec[0] > spec[1]:
            errors.append(f"{where}: expected [low, high] with low <= high, got {spec}")
    else:
        _check_one_or_choices(spec, where, ok, expected, errors)


def _check_one_or_choices(spec, where, ok, expected, errors):
    """A parameter given as one value or as {choices: [...]}, each value checked by ``ok``."""
    if isinstance(spec, dict):
        choices = spec.get("choices")
        if set(spec) != {"choices"} or not isinstance(choices, list) or not choices:
            errors.append(f"{where}: expected {{choices: [...]}} with a non-empty list")
        elif len(choices) > MAX_CHOICES:
            errors.append(f"{where}.choices: at most {MAX_CHOICES} choices, got {len(choices)}")
        else:
            for k, v in enumerate(choices):
                if not ok(v):
                    errors.append(f"{where}.choices[{k}]: expected {expected}, got {_got(v)}")
    elif not ok(spec):
        errors.append(f"{where}: expected {expected}, [low, high] or {{choices: [...]}}, "
                      f"got {_got(spec)}")


def _model_value(v) -> bool:
    return _is_int(v, 1, MODEL_BOUND) or isinstance(v, bool) or (
        isinstance(v, str) and bool(MODEL_WORD.fullmatch(v)))


def _check_model_param(name, spec, where, errors):
    """A parameter of a model template: [low, high], {choices: [...]} or one value."""
    expected = (f"integers from 1 to {MODEL_BOUND:,}, true, false or words (letters, digits "
                "and underscores, starting with a letter)")
    if not MODEL_PARAM.fullmatch(str(name)):
        errors.append(f"{where}: a model template's parameter is a name of letters, digits "
                      "and underscores (up to 16), starting with a letter")
    elif isinstance(spec, list):
        if len(spec) != 2 or not all(_is_int(v, 1, MODEL_BOUND) for v in spec):
            errors.append(f"{where}: expected [low, high] of integers from 1 to "
                          f"{MODEL_BOUND:,}, got {_got(spec)}")
        elif spec[0] > spec[1]:
            errors.append(f"{where}: expected [low, high] with low <= high, got {spec}")
    else:
        _check_one_or_choices(spec, where, _model_value, expected, errors)


def _check_model_ask(ask, quantity, where, errors):
    for key in ask:
        if key not in MODEL_QUANTITIES[quantity] | {"quantity", "format", "decimals"} \
                or (key == "decimals" and quantity != "embedding_share"):
            errors.append(f"{where}.{key}: not an option of quantity {quantity}")
    if "which" in ask and ask["which"] not in TOTALS:
        errors.append(f"{where}.which: expected one of {', '.join(TOTALS)}, "
                      f"got {_got(ask['which'])}")
    if "layer" in ask and not (ask["layer"] == "last"
                               or _is_int(ask["layer"], 1, MAX_MODEL_LAYER)):
        errors.append(f"{where}.layer: expected a layer number from 1 (the first layer of the "
                      f"line) to {MAX_MODEL_LAYER}, or last, got {_got(ask['layer'])}")
    if "of" in ask and ask["of"] not in OUTPUTS:
        errors.append(f"{where}.of: expected one of {', '.join(OUTPUTS)}, got {_got(ask['of'])}")
    if quantity in ("layer_parameters", "in_features") and "layer" not in ask:
        errors.append(f"{where}.layer: {quantity} needs the number of the layer it asks about")
    if quantity == "largest_layer" and ask.get("format") != "choice":
        errors.append(f"{where}.format: largest_layer is asked as a choice (format: choice)")


def placeholders(text: str) -> list:
    """The field names of a question's {placeholders}; raises ValueError on anything else."""
    names = []
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            raise ValueError(f"{{{field}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}}")
        names.append(field)
    return names


def _check_text(value, where, allowed, errors):
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: expected non-empty text, got {_got(value)}")
        return
    if len(value) > MAX_TEXT:
        errors.append(f"{where}: at most {MAX_TEXT} characters, got {len(value)}")
        return
    try:
        names = placeholders(value)
    except ValueError as e:
        errors.append(f"{where}: placeholder {e} may only name a value of this template "
                      f"({', '.join(sorted(allowed))}); use {{{{ and }}}} for literal braces")
        return
    except Exception:  # an unbalanced brace, for instance
        errors.append(f"{where}: unbalanced braces; use {{{{ and }}}} for literal braces")
        return
    for name in names:
        if name not in allowed:
            errors.append(f"{where}: placeholder {{{name}}} is not a value of this template "
                          f"(allowed: {', '.join(sorted(allowed))})")


def _check_ask(ask, where, errors, model=False):
    if not isinstance(ask, dict):
        errors.append(f"{where}: expected a mapping with a quantity, got {_got(ask)}")
        return
    quantity = ask.get("quantity")
    known = MODEL_QUANTITIES if model else QUANTITIES
    if not isinstance(quantity, str) or quantity not in known:
        whose = " (a template with a model line)" if model else ""
        if not model and isinstance(quantity, str) and quantity in MODEL_QUANTITIES:
            whose = f" ({quantity} needs a model line: add model)"
        errors.append(f"{where}.quantity: expected one of {', '.join(known)}{whose}, "
                      f"got {_got(quantity)}")
        return
    if "format" in ask and ask["format"] not in ("value", "choice"):
        errors.append(f"{where}.format: expected value or choice, got {_got(ask['format'])}")
    if "decimals" in ask and not _is_int(ask["decimals"], 1, 6):
        errors.append(f"{where}.decimals: expected an integer from 1 to 6, "
                      f"got {_got(ask['decimals'])}")
    if model:
        _check_model_ask(ask, quantity, where, errors)
        return
    for key in ask:
        if key not in ASK_OPTIONS or (key not in QUANTITIES[quantity] | {"quantity", "format"}):
            errors.append(f"{where}.{key}: not an option of quantity {quantity}")
    if quantity == "gradient" and ask.get("of") not in ("W_hh", "W_xh"):
        errors.append(f"{where}.of: expected W_hh or W_xh, got {_got(ask.get('of'))}")
    if quantity in ("shape", "parameters") and not isinstance(ask.get("tensor"), str):
        errors.append(f"{where}.tensor: expected a tensor name such as W_xh, got "
                      f"{_got(ask.get('tensor'))}")
    if quantity == "size" and ask.get("of") not in ("m", "n", "p"):
        errors.append(f"{where}.of: expected m, n or p, got {_got(ask.get('of'))}")
    if quantity == "gradient_terms" and ask.get("tensor", "W_hh") not in ("W_hh", "W_xh",
                                                                           "W_hy"):
        errors.append(f"{where}.tensor: expected W_hh, W_xh or W_hy, got "
                      f"{_got(ask.get('tensor'))}")
    if quantity == "forward" and ask.get("of") not in FORWARD_VALUES:
        errors.append(f"{where}.of: expected one of {', '.join(FORWARD_VALUES)}, "
                      f"got {_got(ask.get('of'))}")
    for flag in ("bias", "include_h0", "h0"):
        if flag in ask and not isinstance(ask[flag], bool):
            errors.append(f"{where}.{flag}: expected true or false, got {_got(ask[flag])}")
    if "output" in ask and ask["output"] not in ("every", "last"):
        errors.append(f"{where}.output: expected every or last, got {_got(ask['output'])}")


def _check_figure(spec, where, allowed, errors):
    if not isinstance(spec, dict):
        errors.append(f"{where}: expected a mapping with a kind, got {_got(spec)}")
        return
    for key in spec:
        if key not in FIGURE_KEYS:
            errors.append(f"{where}.{key}: unknown key (expected "
                          f"{', '.join(sorted(FIGURE_KEYS))})")
    if spec.get("kind") not in FIGURE_KINDS:
        errors.append(f"{where}.kind: expected one of {', '.join(FIGURE_KINDS)}, "
                      f"got {_got(spec.get('kind'))}")
    if "highlight" in spec and spec["highlight"] not in FIGURE_MATRICES:
        errors.append(f"{where}.highlight: expected one of {', '.join(FIGURE_MATRICES)}, "
                      f"got {_got(spec['highlight'])}")
    elif spec.get("kind") == "grid" and spec.get("highlight") in ("W_hy", "biases"):
        errors.append(f"{where}.highlight: the grid highlights a block, W_xh or W_hh, "
                      f"got {_got(spec['highlight'])}")
    hide = spec.get("hide", [])
    if not isinstance(hide, list) or not all(h in FIGURE_MATRICES for h in hide):
        errors.append(f"{where}.hide: expected a list of {', '.join(FIGURE_MATRICES)}, "
                      f"got {_got(hide)}")
    if "text" in spec:
        _check_text(spec["text"], f"{where}.text", allowed, errors)


def check_template(data, where: str) -> list:
    """Every schema error of one template (an empty list when it is valid)."""
    errors = []
    if not isinstance(data, dict):
        return [f"{where}: expected a mapping, got {_got(data)}"]
    for key in data:
        if key not in TEMPLATE_KEYS:
            expected = ", ".join(sorted(TEMPLATE_KEYS))
            errors.append(f"{where}.{key}: unknown key (expected {expected})")
    for key in REQUIRED_KEYS:
        if key not in data:
            errors.append(f"{where}: missing required key {key}")
    for key in ("id", "skill"):
        if key in data and not (isinstance(data[key], str) and ID_PATTERN.fullmatch(data[key])):
            errors.append(f"{where}.{key}: expected lowercase letters, digits and dashes, "
                          f"got {_got(data[key])}")
    if "title" in data and not (isinstance(data["title"], str) and data["title"].strip()):
        errors.append(f"{where}.title: expected non-empty text, got {_got(data['title'])}")
    if "difficulty" in data and not _is_int(data["difficulty"], 1, 3):
        errors.append(f"{where}.difficulty: expected 1, 2 or 3, got {_got(data['difficulty'])}")
    params = data.get("params", {})
    if not isinstance(params, dict):
        errors.append(f"{where}.params: expected a mapping of names to values, got {_got(params)}")
        params = {}
    model = "model" in data
    if "params" in data and isinstance(data["params"], dict) and not model:
        for size in ("m", "n"):
            if size not in params:
                errors.append(f"{where}.params: missing {size} (every network needs m and n)")
    for name, spec in params.items():
        if model:
            _check_model_param(name, spec, f"{where}.params.{name}", errors)
        elif name not in PARAMS:
            errors.append(f"{where}.params.{name}: unknown parameter (expected one of "
                          f"{', '.join(PARAMS)})")
        elif isinstance(spec, dict) and "same_as" in spec:
            target = spec["same_as"]
            if set(spec) != {"same_as"} or target == name or target not in params \
                    or same_as(params[target]) or PARAMS.get(target, ("",))[0] != \
                    PARAMS[name][0]:
                errors.append(f"{where}.params.{name}: expected {{same_as: NAME}} naming "
                              f"another parameter of the same kind, got {_got(spec)}")
        else:
            _check_param(name, spec, f"{where}.params.{name}", errors)
    distinct = data.get("distinct", [])
    if not isinstance(distinct, list) or not all(isinstance(d, str) and d in params
                                                 for d in distinct):
        errors.append(f"{where}.distinct: expected a list of this template's parameters, "
                      f"got {_got(distinct)}")
    allowed = set(params) | set(DERIVED) | ({"model"} if model else set())
    if model:
        _check_text(data["model"], f"{where}.model", set(params), errors)
    if "question" in data:
        _check_text(data["question"], f"{where}.question", allowed, errors)
    hints = data.get("hints", [])
    if not isinstance(hints, list):
        errors.append(f"{where}.hints: expected a list of texts, got {_got(hints)}")
    else:
        for k, hint in enumerate(hints):
            _check_text(hint, f"{where}.hints[{k}]", allowed, errors)
    if "ask" in data:
        _check_ask(data["ask"], f"{where}.ask", errors, model)
    if "figure" in data:
        _check_figure(data["figure"], f"{where}.figure", allowed, errors)
    if "figure" in data and model:
        errors.append(f"{where}.figure: a model template has no figure of its network (leave "
                      "out figure or model)")
    return errors


def load_file(path) -> tuple:
    """(templates, errors) of one YAML file; the errors name the file and the field."""
    label = str(path)
    try:
        text = read_text(path, MAX_FILE_BYTES)
        known = indexed_items(text)
        if known is not None:  # a shipped file's very bytes, validated when indexed
            return [Template(item, label) for item in known], []
        data = load_yaml(text, label)
    except DataFileError as e:
        return [], [str(e)]
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        return [], [f"{label}: expected a mapping with a list under 'templates'"]
    if set(data) - {"templates"}:
        extra = ", ".join(sorted(map(str, set(data) - {"templates"})))
        return [], [f"{label}: unknown top-level key(s) {extra} (expected templates)"]
    items = data["templates"]
    if len(items) > MAX_TEMPLATES_PER_FILE:
        return [], [f"{label}: at most {MAX_TEMPLATES_PER_FILE} templates, got {len(items)}"]
    templates, errors = [], []
    for k, item in enumerate(items):
        found = check_template(item, f"templates[{k}]")
        errors += [f"{label}: {e}" for e in found]
        if not found:
            templates.append(Template(item, label))
    return templates, errors


def yaml_files(paths) -> list:
    """The .yaml/.yml files named by ``paths`` (files, or folders searched one level deep)."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def load_templates(paths) -> tuple:
    """(templates, errors) from every file under ``paths``; duplicate ids are errors."""
    templates, errors, seen = [], [], {}
    for path in yaml_files(paths):
        found, errs = load_file(path)
        errors += errs
        for t in found:
            if t.id in seen:
                errors.append(f"{t.source}: template id {t.id!r} is also defined in "
                              f"{seen[t.id]}")
            else:
                seen[t.id] = t.source
                templates.append(t)
    return templates, errors


def shipped_templates() -> list:
    """The templates that come with rnnquiz (raises TemplateError if any is invalid)."""
    from rnnquiz.resources import problems_dir

    templates, errors = load_templates([problems_dir()])
    if errors:
        raise TemplateError(errors)
    return templates
