"""The practice session, history and stats."""

import sqlite3

from click.testing import CliRunner

from rnnquiz.cli import cli
from rnnquiz.drill.history import History
from rnnquiz.drill.practice import plan, run_session, skill_weights
from rnnquiz.drill.problems import generate
from rnnquiz.drill.templates import shipped_templates

TEMPLATES = {t.id: t for t in shipped_templates()}


def session(answers, problems, history=None):
    out = []
    feed = iter(answers)

    def ask(prompt):
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    summary = run_session(problems, ask, out.append, history)
    return summary, "\n".join(out)


def test_a_wrong_answer_is_named_and_the_solution_shown():
    problem = generate(TEMPLATES["shape-wxh"], 11)
    net = problem.network
    summary, out = session([f"({net.m}, {net.n})"], [problem])
    assert "Not quite." in out
    assert "That looks like: transposed shape." in out
    assert f"The answer: ({net.n}, {net.m})" in out and "Worked solution:" in out
    assert (summary.right, summary.answered) == (0, 1)
    assert summary.misconceptions["transposed shape"] == 1


def test_hint_unreadable_skip_and_end_of_input():
    ids = ("shape-wxh", "total-with-bias", "unroll-sentence")
    a, b, c = (generate(TEMPLATES[i], 1) for i in ids)
    summary, out = session(["hint", "ten by ten", a.answer_text, "skip"], [a, b, c])
    assert "Hint: W_xh x_t must give" in out
    assert "I could not read 'ten by ten': expected a shape" in out
    assert f"Right: {a.answer_text}." in out
    assert "Skipped. The answer:" in out
    assert summary.ended_early and summary.skipped == 1 and summary.right == 1


def test_keyboard_interrupt_ends_cleanly():
    def ask(prompt):
        raise KeyboardInterrupt

    summary = run_session([generate(TEMPLATES["shape-wxh"], 1)], ask, lambda s: None)
    assert summary.ended_early and summary.answered == 0


def test_each_attempt_is_written_when_answered(tmp_path):
    history = History(tmp_path)
    problems = [generate(TEMPLATES["total-with-bias"], k) for k in range(3)]
    seen = []

    def ask(prompt):
        seen.append(len(history.attempts()))
        if len(seen) == 3:
            raise KeyboardInterrupt
        return "1"

    run_session(problems, ask, lambda s: None, history)
    assert seen == [0, 1, 2]
    rows = History(tmp_path).attempts()
    assert [r.variant_id for r in rows] == ["total-with-bias@0", "total-with-bias@1"]
    assert all(not r.correct for r in rows)


def test_a_corrupt_database_is_kept_aside_and_practice_goes_on(tmp_path):
    (tmp_path / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    history = History(tmp_path)
    assert history.warnings and "kept it as history.sqlite3.corrupt-" in history.warnings[0]
    aside = list(tmp_path.glob("history.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    history.record("x@1", "counts", "5", True)
    assert len(history.attempts()) == 1


def test_an_unwritable_folder_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    history = History(blocker / "sub")
    assert "kept in memory only" in history.warnings[0]
    history.record("x@1", "counts", "5", True)
    assert len(history.attempts()) == 1


class A:
    def __init__(self, skill, correct, time):
        self.skill, self.correct, self.time = skill, correct, time


def test_weak_and_stale_skills_weigh_more():
    attempts = [A("shapes", True, 1000.0)] * 10 + [A("counts", False, 1000.0)] * 10
    w = skill_weights(["shapes", "counts", "time"], attempts)
    assert w["counts"] > w["shapes"] and w["time"] == 3.0
    stale = [A("shapes", True, 0.0)] + [A("counts", True, 30 * 86400.0)]
    w = skill_weights(["shapes", "counts"], stale)
    assert w["shapes"] > w["counts"]


def test_plan_is_reproducible_and_follows_the_weights():
    templates = list(TEMPLATES.values())
    assert plan(templates, 20, 5) == plan(templates, 20, 5)
    others = sorted({t.skill for t in templates} - {"forward"})
    weak = [A("forward", False, 1.0)] * 20 + [A(s, True, 1.0) for s in others
                                               for _ in range(20)]
    picks = plan(templates, 400, 1, weak)
    share = sum(t.skill == "forward" for t, _ in picks) / len(picks)
    expected = 3 / (3 + len(others))  # weight 3 against the others at 1
    assert share > (expected + 1 / (1 + len(others))) / 2  # nearer 3x than equal weights


def _plan_with_repeats(templates, count, seed):
    """The plan as it was drawn before repeats were drawn again (with equal weights)."""
    import random

    from rnnquiz.drill.practice import SEED_RANGE

    pools = {}
    for t in sorted(templates, key=lambda t: t.id):
        pools.setdefault(t.skill, []).append(t)
    skills, rng = sorted(pools), random.Random(seed)
    return [(rng.choice(pools[rng.choices(skills, weights=[1.0] * len(skills))[0]]),
             rng.randrange(SEED_RANGE)) for _ in range(count)]


def test_a_plan_holds_each_variant_once_and_is_as_before_until_a_repeat():
    templates = list(TEMPLATES.values())
    for count, seed in ((3000, 7), (2500, 1), (40, 3)):
        picks, before = plan(templates, count, seed), _plan_with_repeats(templates, count, seed)
        variants = [(t.id, s) for t, s in picks]
        assert len(set(variants)) == count  # before: 3 repeats in these 3,000, 73 in 10,000
        old = [(t.id, s) for t, s in before]
        first = next((k for k in range(count) if old[k] in old[:k]), count)
        assert variants[:first] == old[:first]  # the same problems up to the first repeat
        assert first < count or variants == old
    # a template with fewer variants than asked: every one once, then repeats
    from rnnquiz.drill.practice import SEED_RANGE

    one = [TEMPLATES["shape-wxh"]]
    picks = plan(one, SEED_RANGE + 50, 2)
    assert len({s for _, s in picks[:SEED_RANGE]}) == SEED_RANGE


def test_scripted_practice_through_the_cli(tmp_path):
    shapes = [t for t in TEMPLATES.values() if t.skill == "shapes"]
    first = generate(*plan(shapes, 2, 42)[0])
    result = CliRunner().invoke(
        cli, ["practice", "--count", "2", "--seed", "42", "--skill", "shapes",
              "--data-dir", str(tmp_path)], input="1x1\nquit\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "rnnquiz practice: 2 problems, seed 42 (repeat with --seed 42)" in out
    assert f"Problem 1/2 · shapes · {first.variant_id}" in out
    assert f"The answer: {first.answer_text}" in out
    assert "Problem 2/2" in out and "Session ended early." in out
    assert "Score: 0/1" in out
    db = sqlite3.connect(tmp_path / "history.sqlite3")
    assert db.execute("SELECT variant_id, answer, correct FROM attempts").fetchall() == [
        (first.variant_id, "1x1", 0)]
    stats = CliRunner().invoke(cli, ["stats", "--data-dir", str(tmp_path)])
    assert "Attempts: 1 (1 answered, 0 skipped)" in stats.output
    assert "shapes" in stats.output


def test_practice_names_a_mistake_end_to_end(tmp_path):
    """Pick the seed's first problem, answer it with its first named mistake."""
    templates = [t for t in TEMPLATES.values() if t.skill == "counts"]
    template, seed = plan(templates, 1, 3)[0]
    problem = generate(template, seed)
    mistake = problem.wrong_answers[0]
    answer = mistake.text.split(") ", 1)[1] if problem.choices else mistake.text
    result = CliRunner().invoke(
        cli, ["practice", "--count", "1", "--seed", "3", "--skill", "counts",
              "--data-dir", str(tmp_path)], input=f"{answer}\n")
    assert result.exit_code == 0
    assert f"That looks like: {mistake.name}." in result.output
    assert "Score: 0/1" in result.output
    assert "Session complete." in result.output


def test_unknown_skill_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["practice", "--skill", "poetry", "--data-dir",
                                      str(tmp_path)])
    assert result.exit_code == 2


def test_convention_filter_keeps_only_problems_stated_in_that_convention():
    from rnnquiz.drill.practice import CONVENTION_FREE, filter_templates

    keras = filter_templates(TEMPLATES.values(), convention="keras")
    assert keras and all(t.params.get("convention") == "keras"
                         or t.ask["quantity"] in CONVENTION_FREE
                         or (t.model is not None and "nn." not in t.model) for t in keras)
    assert "shape-wxh" not in {t.id for t in keras}
    assert "t-changes-count" in {t.id for t in keras}
    textbook = {t.id for t in filter_templates(TEMPLATES.values(), convention="textbook")}
    assert "shape-wxh" in textbook and "keras-lstm-count" not in textbook
