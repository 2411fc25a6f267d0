"""XML text and attribute escaping, as ``xml.sax.saxutils`` does it (the same bytes).

``xml.sax.saxutils`` imports ``urllib.request`` (and with it http.client and email): about
20 ms of every command that draws a figure or writes an export. These three functions are its
``escape``, ``quoteattr`` and ``unescape`` without the entity tables nobody here passes;
tests/test_speed_generation.py compares them with saxutils on any text.
"""

from __future__ import annotations


def escape(data: str) -> str:
    """&, < and > as entities: text content (saxutils.escape)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    """An attribute value, escaped and quoted (saxutils.quoteattr): double quotes unless the
    value holds one and no single quote; newlines and tabs as character references."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"{}"'.format(data.replace('"', "&quot;"))
        return f"'{data}'"
    return f'"{data}"'


def unescape(data: str) -> str:
    """The text ``escape`` wrote, back (saxutils.unescape)."""
    return data.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
