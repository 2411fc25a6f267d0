"""Regenerate the index of the shipped templates (rnnquiz/drill/template_index.py).

    python scripts/make_template_index.py           # write it
    python scripts/make_template_index.py --check   # exit 1 if it is out of date

Each shipped file is read with the bounded YAML loader and validated (a file with any error
stops the script); the index maps the digest of its bytes to its templates. tests/
test_template_index.py runs the check, so the committed index always matches problems/.
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "rnnquiz" / "drill" / "template_index.py"
HEADER = '''"""The shipped templates by the digest of their file's bytes (rnnquiz.drill.indexed).

Written by scripts/make_template_index.py from problems/*.yaml: do not edit.
"""
# ruff: noqa: E501
'''
_PLAIN = (str, int, float, bool, type(None))


def _plain(value, where):
    """Refuse a value whose repr would not read back as itself (the index is Python source)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _plain(key, where)
            _plain(item, where)
    elif isinstance(value, list):
        for item in value:
            _plain(item, where)
    elif type(value) not in _PLAIN or value != value:
        raise SystemExit(f"{where}: {value!r} cannot be indexed; add its type to the script")


def index_text() -> str:
    """The text of template_index.py for the shipped files as they are now."""
    from rnnquiz.datafiles import load_yaml, read_text
    from rnnquiz.drill.indexed import digest
    from rnnquiz.drill.template_index import FILES
    from rnnquiz.drill.templates import load_file, yaml_files
    from rnnquiz.resources import problems_dir

    lines = [HEADER, "FILES = {"]
    for path in yaml_files([problems_dir()]):
        saved = dict(FILES)
        FILES.clear()  # validate every file from its YAML, never from the index it replaces
        try:
            _, errors = load_file(path)
        finally:
            FILES.update(saved)
        if errors:
            raise SystemExit("\n".join(errors))
        text = read_text(path)
        items = load_yaml(text, str(path))["templates"]
        _plain(items, path.name)
        body = pprint.pformat(items, indent=1, width=96, sort_dicts=False)
        lines.append(f"    # {path.name}")
        lines.append(f"    {digest(text.encode('utf-8'))!r}: (")
        lines.extend("        " + line for line in body.splitlines())
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def stale() -> bool:
    return not TARGET.exists() or TARGET.read_text(encoding="utf-8") != index_text()


def main() -> int:
    if "--check" in sys.argv[1:]:
        if stale():
            print(f"{TARGET} is out of date: run python scripts/make_template_index.py")
            return 1
        return 0
    TARGET.write_text(index_text(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
