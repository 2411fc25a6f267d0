"""Shared set-up and strategies for the tests."""

import atexit
import functools
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from rnnquiz.__main__ import limit_blas_threads

# One BLAS thread, as the CLI runs (before numpy loads): the tests' matrices are small, and
# with a pytest-xdist worker per core a thread per core each only makes them wait for each other.
limit_blas_threads()
if "numpy" in sys.modules:  # a plugin loaded it first: the setting came too late
    sys.stderr.write("tests/conftest.py: numpy was loaded before its BLAS threads were set\n")

# pytest rewrites the asserts of every module of a distribution that declares a pytest plugin:
# all of hypothesis (0.45 s of CPU in each pytest process), whose asserts are not the tests'.
# Its import hook has no public way to unmark a package; if pytest renames these, nothing
# breaks: hypothesis is just rewritten again.
for _hook in sys.meta_path:
    if isinstance(getattr(_hook, "_must_rewrite", None), set):
        _hook._must_rewrite.discard("hypothesis")
        getattr(_hook, "_marked_for_rewrite_cache", {}).clear()

from hypothesis import strategies as st  # noqa: E402

from rnnquiz.description.network import Network  # noqa: E402

SHARED_BYTECODE = "RNNQUIZ_TESTS_BYTECODE"


def pytest_configure(config):
    """The Python processes the tests start (the CLI as a user's shell runs it) compile each
    module once per test run, not once per process: where PYTHONDONTWRITEBYTECODE keeps bytecode
    out of the source tree, they share a folder of this run's own (an installed rnnquiz has its
    bytecode too). pytest-xdist's workers start as pytest started; each sets it for its own
    children."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return  # bytecode already goes where Python or the user puts it
    folder = os.environ.get(SHARED_BYTECODE)
    if folder is None:  # the first process of the run makes the folder and removes it at exit
        folder = tempfile.mkdtemp(prefix="rnnquiz-tests-bytecode-")
        os.environ[SHARED_BYTECODE] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if getattr(config.option, "tx", None) and not hasattr(config, "workerinput"):
        if not config.getoption("collectonly", False):  # --collect-only starts no worker
            _rewrite_test_modules_for_the_workers(config, folder)
        return  # pytest-xdist's controller: it starts only workers
    if hasattr(config, "workerinput"):
        _read_rewritten_test_modules(folder)
    _share_loaded_bytecode(folder)
    os.environ["PYTHONPYCACHEPREFIX"] = folder
    del os.environ["PYTHONDONTWRITEBYTECODE"]


# pytest rewrites the asserts of each test module it imports (1.2 to 1.6 s of CPU for these 50
# modules) and, where bytecode may not be written, in every process again. Under pytest-xdist the
# controller, which imports no test module, rewrites them once into this run's folder while the
# workers start, and the workers read them there: the rewritten bytecode is pytest's own, checked
# against the source's hash as pytest checks it; a module the controller has not reached yet is
# rewritten by the worker as before. This reaches into pytest's assertion rewriter, which has no
# public way to do it: if pytest changes those names, each worker rewrites every module again.

def _rewriter():
    try:
        from _pytest.assertion import rewrite

        rewrite.PYC_TAIL, rewrite._rewrite_test, rewrite._write_pyc_fp  # noqa: B018
        rewrite.get_cache_dir  # noqa: B018
    except (ImportError, AttributeError):
        return None
    return rewrite


def _rewritten_folder(folder, source) -> Path:
    return Path(folder + os.path.dirname(os.path.abspath(source)))


def _rewrite_test_modules_for_the_workers(config, folder):
    rewrite = _rewriter()
    if rewrite is None or config.getoption("assertmode", "rewrite") != "rewrite":
        return
    sources = []
    for arg in config.args:  # absolute, as the workers name the modules they import
        path = Path(os.path.abspath(config.invocation_params.dir / str(arg).split("::", 1)[0]))
        if path.is_dir():
            sources += sorted(path.rglob("test_*.py"))
        elif path.name.startswith("test_") and path.suffix == ".py":
            sources.append(path)

    def rewrite_all():
        for source in sources:
            target = _rewritten_folder(folder, source) / (source.stem + rewrite.PYC_TAIL)
            partial = f"{target}.{os.getpid()}"
            try:
                source_hash, code = rewrite._rewrite_test(source, config)
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(partial, "wb") as f:
                    rewrite._write_pyc_fp(f, source_hash, code)
                os.replace(partial, target)  # a worker reads the whole file or none
            except Exception:  # noqa: BLE001 - that module's worker rewrites it itself
                continue

    if sources:
        worker = threading.Thread(target=rewrite_all, name="rewrite test modules", daemon=True)
        worker.start()
        config.add_cleanup(worker.join)  # done before the folder is removed at exit


def _read_rewritten_test_modules(folder):
    """In a worker: pytest looks for the test modules' rewritten bytecode in ``folder``."""
    rewrite = _rewriter()
    if rewrite is not None:
        rewrite.get_cache_dir = lambda file_path: _rewritten_folder(folder, file_path)


def _share_loaded_bytecode(folder):
    """Link the bytecode of every module loaded so far (numpy, click, yaml, the standard
    library...) where a process with ``folder`` as its PYTHONPYCACHEPREFIX looks for it: with a
    prefix, Python reads no __pycache__ folder, and would compile them all again."""
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        source, cached = getattr(spec, "origin", None), getattr(spec, "cached", None)
        if not (source and cached and source.endswith(".py") and os.path.isfile(cached)):
            continue
        target = os.path.join(folder + os.path.dirname(os.path.abspath(source)),
                              os.path.basename(cached))
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(cached, target)
        except FileExistsError:  # another worker linked it first
            pass
        except OSError:  # another file system, or not ours to link: a copy, else compiled again
            try:
                shutil.copyfile(cached, f"{target}.{os.getpid()}")
                os.replace(f"{target}.{os.getpid()}", target)  # never seen half-written
            except OSError:
                pass


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` (as pyproject.toml runs the tests), where the files that read
    tests/generated.py count as one file: a file's module fixtures and caches, and a problem
    generated.py makes, are made in one worker, not in each worker that happens to need them.
    The units go out largest first, each to a worker with fewer than three tests left; with
    fewer files than workers, each test is a unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    root = config.rootpath

    @functools.cache
    def unit(path):
        try:
            text = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return path
        return "tests/generated.py" if _READS_GENERATED.search(text) else path

    @functools.cache
    def imports_a_framework(scope):
        path = scope.split("::", 1)[0]
        try:
            text = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        return bool(_IMPORTS_A_FRAMEWORK.search(text))

    class FileScheduling(LoadFileScheduling):
        by_test = False

        def schedule(self):
            if self.collection is None and self.registered_collections:
                # fewer files than workers (`pytest tests/test_x.py`): each test is a unit, so
                # no worker sits idle
                tests = next(iter(self.registered_collections.values()))
                files = {unit(nodeid.split("::", 1)[0]) for nodeid in tests}
                self.by_test = len(files) < len(self.nodes)
            super().schedule()

        def _split_scope(self, nodeid):
            return nodeid if self.by_test else unit(nodeid.split("::", 1)[0])

        def _assign_work_unit(self, node):
            # Keras with JAX starts threads in the worker that imports it, and a fork there
            # afterwards (the export's worker processes in test_bulk and test_speed) risks a
            # lock held by one of them: JAX warns of a deadlock. The files that import a
            # framework go out last, when no other file is left for their worker to run.
            for scope in [s for s in self.workqueue if imports_a_framework(s)]:
                self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)

    return FileScheduling(config, log)


_READS_GENERATED = re.compile(r"^(?:import generated|from generated import)\b", re.M)
_IMPORTS_A_FRAMEWORK = re.compile(r"""importorskip\(["'](?:keras|jax|torch)""")


_CONVENTIONS = st.sampled_from(["textbook", "pytorch", "keras"])
_CELLS = st.sampled_from(["rnn", "lstm", "gru"])
_LAYOUTS = st.sampled_from([None, "in-out"])


@functools.cache  # one strategy object per size: hypothesis checks each new one before a draw
def _none_or_up_to(size):
    return st.one_of(st.none(), st.integers(1, size))


@st.composite
def networks(draw, max_size=12, max_layers=3):
    """Random valid descriptions covering every cell, convention and option."""
    convention = draw(_CONVENTIONS)
    cell = draw(_CELLS)
    n = draw(st.integers(min_value=2, max_value=max_size))
    proj = 0
    if convention == "pytorch" and cell == "lstm" and draw(st.booleans()):
        proj = draw(st.integers(min_value=1, max_value=n - 1))
    layout = draw(_LAYOUTS) if convention == "textbook" else None
    return Network(draw(st.integers(1, max_size)), n,
                   draw(_none_or_up_to(max_size)),
                   T=draw(_none_or_up_to(5)), cell=cell,
                   layers=draw(st.integers(1, max_layers)), bidirectional=draw(st.booleans()),
                   bias=draw(st.booleans()), convention=convention,
                   reset_after=draw(st.booleans()), proj_size=proj, layout=layout)


def run_and_list_modules(args, modules) -> tuple:
    """Run ``rnnquiz ARGS`` through ``rnnquiz.__main__.main`` in a fresh Python; returns (its
    standard output, the names in ``modules`` it had loaded by the end)."""
    import json
    import subprocess

    code = ("import sys; from rnnquiz.__main__ import main; main(sys.argv[2:]); "
            f"print('\\0' + repr(sorted(m for m in {tuple(modules)!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, "--", *map(str, args)],
                         capture_output=True, text=True, check=True).stdout
    text, _, loaded = out.rpartition("\0")
    return text, json.loads(loaded.replace("'", '"'))
