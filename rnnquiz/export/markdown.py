"""A printable worksheet (numbered questions), then the answer key with worked solutions."""

from __future__ import annotations


def _escape(text: str) -> str:
    """Keep Markdown from reading a question's symbols as markup (a<t> as HTML, * as emphasis)."""
    for ch in ("\\", "`", "*", "<", ">", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(problems, meta) -> str:
    lines = ["# rnnquiz worksheet", "",
             f"{len(problems)} problems · seed {meta['seed']} · {meta['generator']}", "",
             "## Questions", ""]
    for k, p in enumerate(problems, 1):
        lines.append(f"{k}. **{_escape(p.title)}** ({p.skill}, difficulty {p.difficulty})")
        lines.append("")
        lines.append(f"   {_escape(p.question)}")
        if p.choices:
            lines.append("")
            for letter, text in p.choices.items():
                lines.append(f"   - {letter}) {_escape(text)}")
        lines.append("")
    lines += ["## Answer key", ""]
    for k, p in enumerate(problems, 1):
        lines.append(f"{k}. **{_escape(p.answer_text)}** (`{p.variant_id}`)")
        lines.append("")
        lines.append("   ```text")
        lines += [f"   {line}" for line in p.solution.splitlines()]
        lines.append("   ```")
        lines.append("")
    return "\n".join(lines)
