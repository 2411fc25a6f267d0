"""Publish problems: worksheets, answer keys and course-tool imports, one module per format.

Every text format is a function ``problems, meta -> str``; Anki writes a package file.
``meta`` carries the seed and the generator's name, so an export says how to remake it.
"""

from __future__ import annotations

from rnnquiz.export.gift import to_gift
from rnnquiz.export.html import to_html
from rnnquiz.export.jsonfmt import to_json
from rnnquiz.export.markdown import to_markdown
from rnnquiz.export.moodle import to_moodle_xml

TEXT_FORMATS = {"markdown": to_markdown, "json": to_json, "gift": to_gift,
                "moodle": to_moodle_xml, "html": to_html}
FORMATS = (*TEXT_FORMATS, "anki")

__all__ = ["FORMATS", "TEXT_FORMATS", "to_gift", "to_html", "to_json", "to_markdown",
           "to_moodle_xml"]
