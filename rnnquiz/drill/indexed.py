"""The shipped templates, parsed and validated once, looked up by each file's content.

PyYAML's pure-Python parser takes about 100 ms for the shipped files: most of ``rnnquiz list``
and of practice's wait for its first question. ``rnnquiz/drill/template_index.py`` (written by
``scripts/make_template_index.py``; a test checks it is current) maps the BLAKE2b digest of each
shipped file's bytes to its templates as the YAML loader returns them, after the validator
passed them. A file is looked up by its bytes, never by its name or date: an edited file, or a
teacher's, misses and is read and validated as before, and a hit is the very bytes the index
was made from, so what it gives is never stale.
"""

from __future__ import annotations


def digest(data: bytes) -> str:
    """The index key of a file's bytes."""
    try:
        from _blake2 import blake2b  # hashlib's own blake2b, without hashlib's OpenSSL (2 ms)
    except ImportError:  # pragma: no cover - another Python
        from hashlib import blake2b
    return blake2b(data, digest_size=20).hexdigest()


def indexed_items(text: str):
    """Fresh copies of the validated template mappings of a file with this text, or None."""
    from rnnquiz.drill.template_index import FILES

    items = FILES.get(digest(text.encode("utf-8")))
    return None if items is None else _fresh(items)


def _fresh(value):
    """A copy no caller can change the index through (as the YAML loader builds anew)."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value
