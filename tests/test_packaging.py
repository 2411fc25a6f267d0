"""What a newcomer's install must contain."""

import subprocess
import sys

import rnnquiz
from rnnquiz.resources import problems_dir


def test_problems_folder_ships_with_the_package():
    folder = problems_dir()
    assert (folder / "README.md").is_file()


def test_the_problems_json_schema_ships_with_the_package():
    from rnnquiz.export.jsonfmt import schema

    assert schema()["properties"]["format"] == {"const": "rnnquiz-problems"}


def test_public_api_from_the_readme():
    from rnnquiz import Network, count, count_parameters, verify, weight_shapes

    assert count_parameters(m=10, n=20, p=5) == 725
    assert count_parameters(m=10, n=20, p=5, bias=False) == 700
    assert weight_shapes(m=10, n=20, p=5)["W_xh"] == (20, 10)
    assert count_parameters(m=10, n=20, cell="lstm", convention="pytorch") == 2560
    net = Network(m=10, n=20, p=5, cell="gru", convention="keras")
    assert count(net).total == 2025
    assert verify(net).ok


def test_import_is_light_and_every_export_resolves():
    code = ("import sys, rnnquiz; print(sorted(m for m in ('numpy','click','yaml') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    for name in rnnquiz.__all__:
        assert getattr(rnnquiz, name) is not None


def test_test_modules_import_each_other_as_pytest_puts_them_on_the_path():
    """tests/ is not a package: pytest puts the folder itself on sys.path, so a helper is
    ``from test_bptt import ...``. ``from tests.test_bptt`` works only where the checkout is on
    the path too (an editable install) and fails after the README's ``pip install .``."""
    import re
    from pathlib import Path

    here = Path(__file__).parent
    wrong = [f"{path.name}:{k}" for path in sorted(here.glob("*.py"))
             for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*(from|import)\s+tests\b", line)]
    assert wrong == []
