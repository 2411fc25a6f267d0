"""The text of ``rnnquiz list``: skills and their templates, with ids, difficulty and title."""

from __future__ import annotations


def listing_lines(entries) -> list:
    """The lines of the listing of ``entries``: (skill, id, difficulty, title) tuples."""
    by_skill = {}
    for skill, template_id, difficulty, title in entries:
        by_skill.setdefault(skill, []).append((template_id, difficulty, title))
    lines = []
    for skill in sorted(by_skill):
        group = sorted(by_skill[skill], key=lambda entry: entry[0])
        lines.append(f"{skill} ({len(group)})")
        width = max(len(entry[0]) for entry in group)
        for template_id, difficulty, title in group:
            lines.append(f"  {template_id:<{width}}  [{difficulty}] {title}")
    return lines


def shipped_listing():
    """The listing of the shipped templates from the index (no YAML, no validation, no
    click: ``rnnquiz list`` runs it from ``rnnquiz.__main__``), or None when any shipped file
    is not in the index as it is now (edited, added, unreadable): the full path reads them."""
    import os

    from rnnquiz.datafiles import DataFileError, read_text
    from rnnquiz.drill.indexed import digest
    from rnnquiz.drill.template_index import FILES
    from rnnquiz.resources import problems_path

    try:
        folder = problems_path()
        names = sorted(name for name in os.listdir(folder)
                       if os.path.splitext(name)[1] in (".yaml", ".yml"))
    except OSError:
        return None
    entries, seen = [], set()
    for name in names:
        try:
            text = read_text(os.path.join(folder, name))
        except DataFileError:
            return None
        items = FILES.get(digest(text.encode("utf-8")))
        if items is None:
            return None
        for item in items:
            if item["id"] in seen:  # the full path names the duplicate
                return None
            seen.add(item["id"])
            entries.append((item["skill"], item["id"], item.get("difficulty", 1),
                            item["title"]))
    return listing_lines(entries)
