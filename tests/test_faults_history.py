"""Fault injection on the practice history (issue 9, section 1): locks, races, bad rows, full
disks, closed input. Each scenario is bounded to a few seconds by short, injected timeouts."""

import errno
import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli
from rnnquiz.drill import safekeeping
from rnnquiz.drill.history import DB_NAME, History, HistoryBusyError
from rnnquiz.drill.practice import run_session
from rnnquiz.drill.problems import generate
from rnnquiz.drill.templates import shipped_templates

TEMPLATES = {t.id: t for t in shipped_templates()}
# The busy timeout every scenario injects: the lock in each is held all along, so waiting longer
# would only take longer.
WAIT = 0.05
LOOSE = ("CREATE TABLE attempts (id INTEGER PRIMARY KEY, time, variant_id, skill, answer, "
         "correct, misconception)")


def healthy(folder, rows=3, wal=False):
    """A history as an earlier session leaves it, with ``rows`` attempts."""
    h = History(folder)
    for k in range(rows):
        h.record(f"shape-wxh@{k}", "shapes", "(2, 3)", k % 2 == 0)
    h.close()
    if not wal:
        db = sqlite3.connect(folder / DB_NAME)
        db.execute("PRAGMA journal_mode = DELETE")
        db.close()
    return (folder / DB_NAME).read_bytes()


def locker(folder):
    """Another program's connection holding an exclusive lock on the history."""
    other = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    return other


def aside_files(folder):
    return sorted(folder.glob(DB_NAME + ".corrupt-*"))


# --- a locked database is not a corrupt one --------------------------------------------------

def test_a_history_locked_beyond_the_timeout_is_left_alone(tmp_path):
    before = healthy(tmp_path)
    other = locker(tmp_path)
    history = History(tmp_path, timeout=WAIT)
    assert "is locked by another program" in history.warnings[0]
    with pytest.raises(HistoryBusyError, match="locked by another program"):
        history.attempts()
    history.close()
    other.rollback()
    other.close()
    assert not aside_files(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == before
    assert len(History(tmp_path).attempts()) == 3


def test_stats_on_a_locked_history_says_so_and_moves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("rnnquiz.drill.history.BUSY_TIMEOUT", WAIT)
    healthy(tmp_path)
    other = locker(tmp_path)
    result = CliRunner().invoke(cli, ["stats", "--data-dir", str(tmp_path)])
    other.rollback()
    other.close()
    assert result.exit_code == 1
    assert f"is locked by another program (waited {WAIT:g} s); try again once it is closed" \
        in result.stderr
    assert "No attempts yet" not in result.output
    assert not aside_files(tmp_path)
    again = CliRunner().invoke(cli, ["stats", "--data-dir", str(tmp_path)])
    assert again.exit_code == 0 and "Attempts: 3 (3 answered, 0 skipped)" in again.output


LOCK_HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()
    db.rollback()
""")


def test_a_lock_held_by_another_process_is_contention(tmp_path):
    healthy(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(tmp_path / DB_NAME)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        history = History(tmp_path, timeout=WAIT)
        history.record("shape-wxh@9", "shapes", "(3, 2)", True)
        assert len(history.pending) == 1
        history.close()
    finally:
        holder.communicate("done\n", timeout=10)
    assert not aside_files(tmp_path)
    rows = History(tmp_path).attempts()  # the side file is taken in once the lock is gone
    assert [r.variant_id for r in rows][-1] == "shape-wxh@9" and len(rows) == 4


def test_a_lock_during_practice_warns_at_once_and_saves_when_it_frees(tmp_path):
    healthy(tmp_path, rows=0)
    shown = []
    history = History(tmp_path, timeout=WAIT, warn=shown.append)
    assert shown == []
    other = locker(tmp_path)
    history.record("a@1", "counts", "5", True)
    assert len(shown) == 1 and "locked by another program" in shown[0]  # at once
    history.record("a@2", "counts", "6", False)
    assert len(shown) == 1 and len(history.pending) == 2  # said once, still kept
    other.rollback()
    history.record("a@3", "counts", "7", True)
    assert "writable again: saved 3 pending attempt(s)" in shown[-1]
    assert history.pending == []
    history.close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    assert [r[0] for r in db.execute("SELECT variant_id FROM attempts")] == ["a@1", "a@2", "a@3"]


def test_attempts_still_locked_at_the_end_go_to_a_file_the_user_is_told_about(tmp_path):
    healthy(tmp_path, rows=1)
    shown = []
    history = History(tmp_path, timeout=WAIT, warn=shown.append)
    other = locker(tmp_path)
    problems = [generate(TEMPLATES["total-with-bias"], k) for k in range(3)]
    answers = iter(["1", "2", "skip"])
    run_session(problems, lambda prompt: next(answers), lambda s: None, history)
    history.close()
    other.rollback()
    other.close()
    side = list(tmp_path.glob(DB_NAME + ".unsaved-*.jsonl"))
    assert len(side) == 1
    assert f"3 attempt(s) of this session could not be saved in the history; they are in " \
           f"{side[0]}" in shown[-1]
    rows = [json.loads(line) for line in side[0].read_text().splitlines()]
    assert [r[1] for r in rows] == ["total-with-bias@0", "total-with-bias@1",
                                    "total-with-bias@2"]
    later = History(tmp_path)
    assert "saved 3 attempt(s) an earlier session could not write" in later.warnings
    assert len(later.attempts()) == 4 and not side[0].exists()
    later.close()
    assert len(History(tmp_path).attempts()) == 4  # taken in once, not twice


def test_practice_through_the_cli_with_the_history_locked(tmp_path, monkeypatch):
    monkeypatch.setattr("rnnquiz.drill.history.BUSY_TIMEOUT", WAIT)
    healthy(tmp_path, rows=2)
    other = locker(tmp_path)
    result = CliRunner().invoke(
        cli, ["practice", "--count", "2", "--seed", "3", "--data-dir", str(tmp_path)],
        input="1\n2\n")
    other.rollback()
    other.close()
    assert result.exit_code == 0, result.output
    assert "Score: 0/2" in result.output
    assert "planning this session without your history" in result.stderr
    assert "2 attempt(s) of this session could not be saved" in result.stderr
    assert not aside_files(tmp_path)
    assert len(History(tmp_path).attempts()) == 4


# --- only a damaged file is moved aside, under a name nobody has -------------------------------

def test_a_file_failing_its_integrity_check_is_moved_aside(tmp_path):
    healthy(tmp_path, rows=200)
    data = bytearray((tmp_path / DB_NAME).read_bytes())
    page = 4096
    data[2 * page:3 * page] = b"\xff" * page  # wreck a b-tree page, keep the header
    (tmp_path / DB_NAME).write_bytes(bytes(data))
    history = History(tmp_path, timeout=WAIT)
    assert "(integrity check failed: " in history.warnings[0]
    assert "kept it as history.sqlite3.corrupt-" in history.warnings[0]
    (aside,) = aside_files(tmp_path)
    assert aside.read_bytes() == bytes(data)
    history.record("x@1", "counts", "5", True)
    assert len(history.attempts()) == 1


def test_an_aside_name_already_taken_is_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.setattr(safekeeping.time, "strftime", lambda fmt: "20250101-000000")
    monkeypatch.setattr(safekeeping, "_counter", 0)
    taken = tmp_path / f"{DB_NAME}.corrupt-20250101-000000-{os.getpid()}-1"
    taken.write_bytes(b"an earlier damaged history")
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    History(tmp_path).close()
    (tmp_path / DB_NAME).write_bytes(b"damaged again in the same second" * 100)
    History(tmp_path).close()
    assert taken.read_bytes() == b"an earlier damaged history"
    kept = sorted(p.read_bytes()[:12] for p in aside_files(tmp_path))
    assert kept == [b"an earlier d", b"damaged agai", b"this is not "]


def test_a_file_already_moved_by_another_session_is_not_moved_again(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"this is not a database" * 100)
    seen = safekeeping.identity(path)
    first = safekeeping.move_aside(path, seen)
    History(tmp_path).close()  # another session starts a new, healthy history
    assert safekeeping.move_aside(path, seen) is None  # the late one leaves it alone
    assert path.exists() and first.read_bytes().startswith(b"this is not")


RACER = textwrap.dedent("""
    import sys, time
    from rnnquiz.drill.history import History
    folder = sys.argv[1]
    print("ready", flush=True)  # loaded: the start time comes once all four are
    start = float(sys.stdin.readline())
    time.sleep(max(0.0, start - time.time() - 0.005))  # asleep, not spinning, until 5 ms before
    while time.time() < start:
        pass
    h = History(folder, timeout=2)
    h.record("race@" + sys.argv[2], "counts", "1", True)
    h.close()
""")


def test_four_sessions_racing_on_a_corrupt_file_keep_it_and_every_attempt(tmp_path):
    import time
    for trial in range(3):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        original = b"precious but unreadable " * 200
        (folder / DB_NAME).write_bytes(original)
        racers = [subprocess.Popen([sys.executable, "-c", RACER, str(folder), str(k)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                  for k in range(4)]
        try:
            assert [r.stdout.readline() for r in racers] == ["ready\n"] * 4
            start = time.time() + 0.05  # every racer is loaded and waiting: one start for all
            for r in racers:
                r.stdin.write(f"{start!r}\n")
                r.stdin.close()
            assert [r.wait(timeout=30) for r in racers] == [0, 0, 0, 0]
        finally:
            for r in racers:
                if r.poll() is None:
                    r.kill()
                r.wait()
                r.stdout.close()
                r.stdin.close()
        aside = aside_files(folder)
        assert [p.read_bytes() for p in aside] == [original]  # kept once, never overwritten
        rows = History(folder).attempts()
        assert sorted(r.variant_id for r in rows) == [f"race@{k}" for k in range(4)]


# --- rows of the wrong type ----------------------------------------------------------------

def bad_rows_history(folder):
    db = sqlite3.connect(folder / DB_NAME)
    db.execute(LOOSE)
    db.executemany("INSERT INTO attempts (time, variant_id, skill, answer, correct, "
                   "misconception) VALUES (?, ?, ?, ?, ?, ?)", [
                       (1.0, "shape-wxh@1", "shapes", "(2, 3)", 1, None),
                       (None, "shape-wxh@2", "shapes", "(2, 3)", 1, None),
                       ("yesterday", "shape-wxh@3", "shapes", "(2, 3)", 0, None),
                       (2.0, None, "shapes", "(2, 3)", 0, None),
                       (3.0, "shape-wxh@4", "shapes", "(2, 3)", "yes", None),
                       (4.0, "shape-wxh@5", 7, "(2, 3)", 0, None),
                       (5.0, "total-with-bias@1", "counts", "10", 0, "transposed"),
                   ])
    db.commit()
    db.close()


def test_rows_holding_null_or_text_are_skipped_and_counted(tmp_path):
    bad_rows_history(tmp_path)
    history = History(tmp_path)
    rows = history.attempts()
    assert [r.variant_id for r in rows] == ["shape-wxh@1", "total-with-bias@1"]
    assert any("skipped 5 unreadable row(s)" in w for w in history.warnings)


def test_stats_and_practice_survive_bad_rows(tmp_path):
    bad_rows_history(tmp_path)
    stats = CliRunner().invoke(cli, ["stats", "--data-dir", str(tmp_path)])
    assert stats.exit_code == 0, stats.output
    assert "Attempts: 2 (2 answered, 0 skipped)" in stats.output
    assert "skipped 5 unreadable row(s)" in stats.stderr
    # counts: an integer answer, so "1" is a wrong answer whatever the plan draws
    practice = CliRunner().invoke(
        cli, ["practice", "--count", "1", "--seed", "1", "--skill", "counts", "--data-dir",
              str(tmp_path)],
        input="1\n")
    assert practice.exit_code == 0, practice.output
    assert "Score: 0/1" in practice.output


# --- a full disk -----------------------------------------------------------------------------

def full_after(monkeypatch, pages):
    """Every new connection can grow the file to ``pages`` pages only (SQLITE_FULL beyond)."""
    real = History._connect

    def limited(self):
        conn = real(self)
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(History, "_connect", limited)


def test_a_full_disk_on_a_new_history_leaves_no_empty_aside_files(tmp_path, monkeypatch):
    full_after(monkeypatch, 1)
    shown = []
    history = History(tmp_path, timeout=WAIT, warn=shown.append)
    assert len(shown) == 1 and "is full" in shown[0]  # at once, before any answer
    history.record("x@1", "counts", "5", True)
    assert len(history.attempts()) == 1
    history.close()
    assert not aside_files(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.stat().st_size == 0
                and p.name != DB_NAME]


def test_a_disk_filling_up_mid_session_warns_at_once(tmp_path, monkeypatch):
    healthy(tmp_path, rows=0)
    pages = sqlite3.connect(tmp_path / DB_NAME).execute("PRAGMA page_count").fetchone()[0]
    full_after(monkeypatch, pages)
    shown = []
    history = History(tmp_path, timeout=WAIT, warn=shown.append)
    for k in range(200):
        history.record(f"x@{k}", "counts", "a long answer " * 20, True)
        if shown:
            break
    assert shown and "is full" in shown[0] and history.pending
    assert not aside_files(tmp_path)


def test_no_room_even_for_the_side_file(tmp_path, monkeypatch):
    full_after(monkeypatch, 1)
    history = History(tmp_path, timeout=WAIT)
    history.record("x@1", "counts", "5", True)
    real_open = os.open

    def no_space(path, flags, mode=0o777, **kw):
        if ".unsaved-" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(safekeeping.os, "open", no_space)
    history.close()
    assert "1 attempt(s) of this session could not be saved and no file could hold them " \
           "(No space left on device); here they are:" in history.warnings[-1]
    assert '"x@1"' in history.warnings[-1]
    assert not list(tmp_path.glob("*.unsaved-*")) and not aside_files(tmp_path)


def test_a_side_file_cut_short_leaves_nothing_behind(tmp_path, monkeypatch):
    def fail(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safekeeping.os, "fsync", fail)
    with pytest.raises(OSError):
        safekeeping.write_unsaved(tmp_path / DB_NAME, [(1.0, "a@1", "s", "x", 1, None)])
    assert list(tmp_path.iterdir()) == []


# --- practice with its input closed ----------------------------------------------------------

def test_practice_with_standard_input_closed_prints_its_summary(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rnnquiz", "practice", "--count", "2", "--seed", "1",
         "--data-dir", str(tmp_path)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        preexec_fn=lambda: os.close(0))
    assert result.returncode == 0, result.stderr
    assert "Session ended early." in result.stdout and "Score: 0/0" in result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_sqlite_companion_files_travel_with_the_file_moved_aside(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"damaged")
    (tmp_path / (DB_NAME + "-wal")).write_bytes(b"its write-ahead log")
    aside = safekeeping.move_aside(path, safekeeping.identity(path))
    assert (tmp_path / (aside.name + "-wal")).read_bytes() == b"its write-ahead log"
    assert sorted(p.name for p in tmp_path.iterdir()) == [aside.name, aside.name + "-wal"]


def test_a_session_stuck_holding_the_folder_never_hangs_another(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    stuck = safekeeping.FolderLock(tmp_path)
    assert stuck.acquire(1)
    try:
        assert not safekeeping.FolderLock(tmp_path).acquire(0.1)
        history = History(tmp_path, timeout=WAIT)  # gives up on the lock after WAIT + 1 s
    finally:
        stuck.release()
    assert "stays where it is for now" in history.warnings[0]
    assert not aside_files(tmp_path)  # moved only by a session holding the lock
    history.record("x@1", "counts", "5", True)
    assert len(history.attempts()) == 1


def test_a_history_moved_away_mid_session_is_not_written_to(tmp_path):
    healthy(tmp_path, rows=1)
    history = History(tmp_path, timeout=WAIT)
    history.record("a@1", "counts", "5", True)
    path = tmp_path / DB_NAME
    moved = safekeeping.move_aside(path, safekeeping.identity(path))  # as another session would
    history.record("a@2", "counts", "6", True)
    history.close()
    assert [r[0] for r in sqlite3.connect(moved).execute("SELECT variant_id FROM attempts")] \
        == ["shape-wxh@0", "a@1"]
    assert [r.variant_id for r in History(tmp_path).attempts()] == ["a@2"]


def test_an_unsaved_file_with_unreadable_lines_is_taken_in_and_kept(tmp_path):
    side = tmp_path / f"{DB_NAME}.unsaved-20250101-000000-1-1.jsonl"
    side.write_text('[1.0, "a@1", "counts", "5", 1, null]\nnot json\n[null, 1, 2, 3, 4, 5]\n',
                    encoding="utf-8")
    history = History(tmp_path)
    assert [r.variant_id for r in history.attempts()] == ["a@1"]
    assert not side.exists()
    assert (tmp_path / (side.name + ".unreadable")).read_text().count("\n") == 3
    history.close()
    assert len(History(tmp_path).attempts()) == 1  # not taken in twice
