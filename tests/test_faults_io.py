"""Fault injection for input and output (issue 9 sections 2 and 5): broken pipes, full disks,
closed descriptors, file modes, symlink and FIFO targets, signals during an export, non-finite
traces. Each scenario runs the real entry point in a process of its own, as a user's shell would:
a new Python where the start, the exit, the descriptors it is given or a signal are under test,
a process forked from one that has loaded rnnquiz (tests/forked_cli.py) where only what the
command does with its files and its output is."""

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import forked_cli
import pytest

from rnnquiz import files

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX descriptors, FIFOs and signals")


def env_for(tmp_path, **extra):
    env = dict(os.environ, RNNQUIZ_DATA_DIR=str(tmp_path / "data"),
               TMPDIR=str(tmp_path / "tmp"))
    env.pop("RNNQUIZ_DEBUG", None)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env.update(extra)
    return env


def run(args, tmp_path, *, stdout=subprocess.PIPE, shell_suffix=None, **kw):
    """``python -m rnnquiz ARGS`` in tmp_path; ``shell_suffix`` runs it through sh with that
    redirection (``>&-``)."""
    command = [sys.executable, "-m", "rnnquiz", *args]
    if shell_suffix:
        command = ["sh", "-c", f'"$@" {shell_suffix}', "sh", *command]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=tmp_path,
                          env=env_for(tmp_path), timeout=120, **kw)


def forked(args, tmp_path, **kw):
    """``python -m rnnquiz ARGS`` in tmp_path, forked by tests/forked_cli.py (text output)."""
    return forked_cli.run(args, env=env_for(tmp_path), cwd=tmp_path, timeout=120, **kw)


def run_into_closed_pipe(args, tmp_path):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes: `rnnquiz ... | true`
    try:
        return run(args, tmp_path, stdout=write)
    finally:
        os.close(write)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.TEMP_PREFIX))


FAST = ["count", "--m", "10", "--n", "20"]  # answered by the click-free fast path
CLICK = ["count", "--m", "10", "--n", "20", "--cell", "lstm", "--explain", "--layers", "2",
         "--bidirectional", "--convention", "pytorch", "--T", "3", "--diagram", "--p", "4"]
EXPORT = ["export", "--format", "markdown", "--count", "40", "--seed", "1"]


# -- standard output ------------------------------------------------------------------------

@POSIX
@pytest.mark.parametrize("args", [FAST, ["list"], ["--help"], EXPORT],
                         ids=["fast-path", "list", "help", "export"])
def test_a_broken_pipe_ends_quietly_with_status_1(args, tmp_path):
    result = run_into_closed_pipe(args, tmp_path)
    assert result.stderr == b""  # no traceback, no "Exception ignored" at exit
    assert result.returncode == 1


@POSIX
@pytest.mark.parametrize("args", [
    ["export", "--format", "json", "--count", "300", "--seed", "1"],
    ["trace", "--T", "300", "--m", "16", "--n", "16", "--json", "--backward"]],
    ids=["export", "trace"])
def test_a_pipe_closed_in_the_middle_of_a_big_output_is_not_success(args, tmp_path):
    # The reader takes a little and goes (`| head -c 1`) while the command is writing.
    proc = subprocess.Popen([sys.executable, "-m", "rnnquiz", *args], cwd=tmp_path,
                            env=env_for(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert os.read(proc.stdout.fileno(), 1)
    proc.stdout.close()
    assert proc.stderr.read() == b""
    assert proc.wait(timeout=120) == 1


@POSIX
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [FAST, ["list"], ["--help"], EXPORT],
                         ids=["fast-path", "list", "help", "export"])
def test_a_full_disk_is_one_line_and_status_1(args, tmp_path):
    with open("/dev/full", "wb") as full:
        result = run(args, tmp_path, stdout=full)
    assert result.stderr.decode() == ("Error: cannot write to standard output: "
                                      "No space left on device\n")
    assert result.returncode == 1


@POSIX
@pytest.mark.parametrize("args", [FAST, ["list"], EXPORT], ids=["fast-path", "list", "export"])
def test_a_closed_stdout_is_one_line_and_status_1(args, tmp_path):
    result = run(args, tmp_path, shell_suffix=">&-")
    assert result.stderr.decode() == ("Error: cannot write to standard output: "
                                      "Bad file descriptor\n")
    assert result.returncode == 1


@POSIX
def test_a_closed_stdout_does_not_stop_a_command_that_writes_a_file(tmp_path):
    result = run(EXPORT + ["-o", "sheet.md"], tmp_path, shell_suffix=">&-")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sheet.md").read_text().startswith("# rnnquiz worksheet")


@POSIX
def test_a_closed_stdout_never_lends_its_number_to_the_history(tmp_path):
    # With descriptor 1 closed, the database opened next would get number 1, and whatever the
    # command printed would land inside the user's history.
    result = run(["stats"], tmp_path, shell_suffix=">&-")
    assert result.returncode == 1
    db = tmp_path / "data" / "history.sqlite3"
    assert db.read_bytes().startswith(b"SQLite format 3\0")
    sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()


@POSIX
def test_practice_with_stdin_closed_ends_with_its_summary(tmp_path):
    result = run(["practice", "--count", "1", "--seed", "1"], tmp_path, shell_suffix="<&-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().rstrip().endswith("Score: 0/0")


def test_every_error_is_one_line_even_when_click_writes_more(capsys):
    from rnnquiz.__main__ import main

    assert main(["export"]) == 2  # click lists the formats over several lines
    err = capsys.readouterr().err
    from rnnquiz.cli.export import EXPORT_FORMATS

    assert err == ("Error: Missing option '--format'. Choose from: "
                   f"{', '.join(EXPORT_FORMATS)} (see 'rnnquiz export --help')\n")


def test_a_file_name_with_a_newline_is_still_one_line_of_error(capsys):
    from rnnquiz.__main__ import main

    assert main(["trace", "--weights", "no\nsuch.yaml"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("args", [["stats", "--data-dir", "a\0b"], ["trace", "--weights", "\0"],
                                  ["export", "--format", "json", "-o", "x\0"]])
def test_a_nul_in_an_argument_is_a_usage_error(args, capsys):
    from rnnquiz.__main__ import main

    assert main(args) == 2  # no shell can pass one, but main([...]) can
    assert capsys.readouterr().err == ("Error: an argument holds a NUL character "
                                       "(see 'rnnquiz --help')\n")


# -- modes ------------------------------------------------------------------------------------

@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_umask(mask):
        os.umask(mask)
    yield set_umask
    os.umask(old)


@POSIX
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(mask, mode, umask, tmp_path):
    umask(mask)
    files.write_atomically(tmp_path / "new.txt", "hello\n")
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == mode
    with files.replacing(tmp_path / "new.bin") as tmp:
        with open(tmp, "wb") as f:
            f.write(b"\x00")
    assert stat.S_IMODE((tmp_path / "new.bin").stat().st_mode) == mode


@POSIX
@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_a_replaced_file_keeps_its_mode(mask, umask, tmp_path):
    target = tmp_path / "shared.md"
    target.write_text("old")
    target.chmod(0o664)
    umask(mask)
    files.write_atomically(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


@POSIX
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write any file")
def test_a_read_only_file_is_not_replaced(tmp_path):
    target = tmp_path / "keep.md"
    target.write_text("mine")
    target.chmod(0o444)
    result = run(EXPORT + ["-o", "keep.md"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode() == "Error: cannot write keep.md: Permission denied\n"
    assert target.read_text() == "mine" and leftovers(tmp_path) == []


def test_a_file_we_may_not_write_is_left_alone(tmp_path, monkeypatch):
    # As root every file is writable; pretend otherwise for this one.
    target = tmp_path / "keep.md"
    target.write_text("mine")
    real_access = os.access
    monkeypatch.setattr(files.os, "access", lambda p, mode: False if str(p) == str(target)
                        else real_access(p, mode))
    with pytest.raises(PermissionError):
        files.write_atomically(target, "new")
    assert target.read_text() == "mine" and leftovers(tmp_path) == []


@POSIX
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_unwritable_stderr_keeps_the_exit_status(tmp_path):
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "rnnquiz", "count", "--m", "x"],
                                stderr=full, stdout=subprocess.PIPE, cwd=tmp_path,
                                env=env_for(tmp_path), timeout=60)
    assert result.returncode == 2


@POSIX
def test_export_creates_files_readable_as_the_umask_says(tmp_path):
    result = forked(EXPORT + ["-o", "sheet.md"], tmp_path, umask=0o022)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "sheet.md").stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


# -- symlinks, FIFOs and devices ----------------------------------------------------------------

@POSIX
def test_through_a_symlink_the_target_is_replaced_and_the_link_kept(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "quiz.xml"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "quiz.xml"
    link.symlink_to(target)
    result = forked(["export", "--format", "moodle", "--count", "2", "--seed", "1", "-o",
                     "quiz.xml"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("<?xml")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


@POSIX
@pytest.mark.skipif(not os.path.exists("/proc/self/fd/1"), reason="needs /proc")
def test_a_link_to_standard_output_writes_to_it(tmp_path):
    # Like -o /dev/stdout (a link to /proc/self/fd/1), without going near the real /dev.
    (tmp_path / "out").symlink_to("/proc/self/fd/1")
    result = run(["export", "--format", "json", "--count", "1", "--seed", "1", "-o", "out"],
                 tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["problems"]
    assert os.readlink(tmp_path / "out") == "/proc/self/fd/1"


@POSIX
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give a file to another user")
def test_root_replacing_a_users_file_leaves_it_theirs(tmp_path):
    target = tmp_path / "theirs.md"
    target.write_text("old")
    os.chown(target, 65534, 65534)
    files.write_atomically(target, "new")
    assert (target.stat().st_uid, target.stat().st_gid) == (65534, 65534)
    assert target.read_text() == "new"


@POSIX
def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    link = tmp_path / "out.md"
    link.symlink_to(tmp_path / "made.md")
    files.write_atomically(link, "text")
    assert link.is_symlink() and (tmp_path / "made.md").read_text() == "text"


def _read_fifo_in_background(fifo):
    got = {}

    def read():
        with open(fifo, "rb") as f:
            got["data"] = f.read()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, got


@POSIX
def test_a_fifo_is_written_to_never_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, got = _read_fifo_in_background(fifo)
    files.write_atomically(fifo, "through the pipe\n")
    reader.join(10)
    assert got["data"] == b"through the pipe\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert leftovers(tmp_path) == []


@POSIX
@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_figures_are_never_written_beside_a_fifo_or_a_device(fmt, tmp_path):
    """-o /dev/stdout once put the figure files into /dev: beside anything but a regular file
    none is written (JSON holds each SVG and says so; Markdown asks in the text wording)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, got = _read_fifo_in_background(fifo)
    result = forked(["export", "--format", fmt, "--count", "4", "--seed", "1", "--skill",
                     "figures", "-o", "pipe"], tmp_path)
    reader.join(10)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob("fig-*")) == [] and leftovers(tmp_path) == []
    text = got["data"].decode()
    if fmt == "json":
        assert all(p["figure"]["svg"].startswith("<?xml") for p in json.loads(text)["problems"])
        assert "note: 4 figure(s) not written as files: pipe is not a regular file" \
            in result.stderr
    else:
        assert "![" not in text and "4 problems" in text


@POSIX
@pytest.mark.parametrize("fmt", ["json", "anki"])
def test_export_into_a_fifo_writes_to_it(fmt, tmp_path):
    if fmt == "anki":
        pytest.importorskip("genanki")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, got = _read_fifo_in_background(fifo)
    result = forked(["export", "--format", fmt, "--count", "2", "--seed", "1", "-o", "pipe"],
                    tmp_path)
    reader.join(10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    if fmt == "json":
        assert json.loads(got["data"])["problems"]
    else:
        assert got["data"].startswith(b"PK")  # a zip: the .apkg
    assert leftovers(tmp_path) == [] and list((tmp_path / "tmp").iterdir()) == []


def test_devices_count_as_special_targets():
    # Only asks; never writes /dev/null (as root the old code would have replaced it).
    if os.path.exists("/dev/null"):
        assert files.is_special("/dev/null")
    assert not files.is_special(__file__)
    assert not files.is_special(os.path.dirname(__file__))
    assert not files.is_special("/no/such/file")


# -- bad targets ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, name", [("anki", "x.apkg"), ("markdown", "x.md")])
def test_an_output_in_a_missing_folder_is_one_line_and_status_1(fmt, name, tmp_path):
    if fmt == "anki":
        pytest.importorskip("genanki")
    missing = tmp_path / "nonexistent" / name
    result = forked(["export", "--format", fmt, "--count", "2", "--seed", "1", "-o",
                     str(missing)], tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"Error: cannot write {missing}: No such file or directory\n"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_anki_leaves_nothing_in_the_temporary_folder(tmp_path):
    pytest.importorskip("genanki")
    result = forked(["export", "--format", "anki", "--count", "3", "--seed", "1", "-o",
                     "d.apkg"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.apkg").read_bytes().startswith(b"PK")
    assert list((tmp_path / "tmp").iterdir()) == []  # genanki alone leaves its database there
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["stats", "practice"])
def test_an_empty_data_dir_is_a_usage_error(command, tmp_path):
    result = forked([command, "--data-dir", ""], tmp_path)  # standard input: /dev/null
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--data-dir" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["tmp"]  # nothing written into the current folder


# -- signals ----------------------------------------------------------------------------------

SLOW_WRITE = """
import signal, sys, time
# Ctrl-C as in a terminal: a shell's background job (how a test run may be started) inherits
# SIGINT ignored, and the export would then rightly keep going
signal.signal(signal.SIGINT, signal.default_int_handler)
import rnnquiz.files as files
real_open = open

class Slow:
    def __init__(self, f):
        self.f = f
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.f.close()
    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        sys.stderr.write("writing\\n")
        sys.stderr.flush()
        time.sleep(60)

def slow_open(*args, **kw):
    return Slow(real_open(*args, **kw))

files.open = slow_open  # the module's writes only
from rnnquiz.__main__ import main
sys.exit(main(sys.argv[1:]))
"""

SLOW_ANKI = """
import sys, time
import rnnquiz.export.anki as anki
real = anki.write_apkg_pieces  # what the CLI writes the .apkg with

def slow(pieces, path):
    real(pieces, path)  # genanki's database is still in the temporary folder
    sys.stderr.write("writing\\n")
    sys.stderr.flush()
    time.sleep(60)

anki.write_apkg_pieces = slow
from rnnquiz.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def _signal_while_writing(script, args, tmp_path, signum, marker=b"writing\n"):
    """Start the export, wait until the temporary file is being written, send ``signum``;
    returns (status, stderr after the marker)."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], cwd=tmp_path,
                            env=env_for(tmp_path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        line = proc.stderr.readline()
        while line and line != marker:
            line = proc.stderr.readline()
        assert line == marker, "the export never started writing"
        proc.send_signal(signum)
        rest = proc.communicate(timeout=30)[1]  # a lost signal fails in 30 s, not after every write
        return proc.returncode, rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@POSIX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["TERM", "HUP", "INT"])
def test_a_signal_during_an_export_leaves_no_temporary_file(signum, tmp_path):
    (tmp_path / "sheet.md").write_text("the teacher's old worksheet")
    status, rest = _signal_while_writing(SLOW_WRITE, EXPORT + ["-o", "sheet.md"], tmp_path,
                                         signum)
    assert status == (1 if signum == signal.SIGINT else 128 + signum)  # Ctrl-C: "Aborted."
    assert b"Traceback" not in rest
    assert leftovers(tmp_path) == []
    assert (tmp_path / "sheet.md").read_text() == "the teacher's old worksheet"


@POSIX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_during_an_anki_export_leaves_no_temporary_file(signum, tmp_path):
    pytest.importorskip("genanki")
    status, rest = _signal_while_writing(
        SLOW_ANKI, ["export", "--format", "anki", "--count", "3", "--seed", "1", "-o", "d.apkg"],
        tmp_path, signum)
    assert status == 128 + signum
    assert leftovers(tmp_path) == [] and not (tmp_path / "d.apkg").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


@POSIX
def test_a_signal_while_waiting_for_a_fifo_reader_leaves_no_temporary_folder(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # nobody reads it: the export waits in open()
    proc = subprocess.Popen([sys.executable, "-m", "rnnquiz", *EXPORT, "-o", "pipe"],
                            cwd=tmp_path, env=env_for(tmp_path), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list((tmp_path / "tmp").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list((tmp_path / "tmp").iterdir()), "the export never reached its output"
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list((tmp_path / "tmp").iterdir()) == []
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode)


@POSIX
def test_an_ignored_sighup_stays_ignored(tmp_path):
    # nohup: SIGHUP ignored before we start must not end the export.
    status = subprocess.run(
        [sys.executable, "-c", "import signal, sys, os\n"
         "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
         "from rnnquiz.cli import main\n"
         "os.kill(os.getpid(), signal.SIGHUP)\n"
         "sys.exit(main(['list']))"], cwd=tmp_path, env=env_for(tmp_path),
        capture_output=True, timeout=60)
    assert status.returncode == 0, status.stderr


def test_the_library_removes_what_is_still_pending(tmp_path):
    class Stop(BaseException):
        pass

    with pytest.raises(Stop):
        with files.replacing(tmp_path / "out.txt") as tmp:
            with open(tmp, "w") as f:
                f.write("half")
            with files.temporary_folder() as folder:
                files.remove_temporary_files()  # what a signal handler may call
                assert not os.path.exists(tmp) and not os.path.exists(folder)
                raise Stop  # and the unwinding after it must not trip over the removal
    assert os.listdir(tmp_path) == []


def test_staged_files_all_land_together_or_none_does(tmp_path):
    (tmp_path / "b.svg").write_text("old b")
    with files.staged_files() as stage:
        stage(tmp_path / "a.svg", "new a")
        stage(tmp_path / "b.svg", "new b")
        stage(tmp_path / "a.svg", "a again")  # the same figure twice: the first text stays
        assert (tmp_path / "b.svg").read_text() == "old b"  # nothing lands before the end
        assert not (tmp_path / "a.svg").exists()
        # what a process killed now would leave: one folder, not a file per figure
        [folder] = leftovers(tmp_path)
        assert sorted(os.listdir(tmp_path / folder)) == ["0", "1"]
    assert (tmp_path / "a.svg").read_text() == "new a"
    assert (tmp_path / "b.svg").read_text() == "new b"
    assert leftovers(tmp_path) == []

    class Stop(BaseException):  # an error, Ctrl-C or a signal while the rest are made
        pass

    with pytest.raises(Stop):
        with files.staged_files() as stage:
            stage(tmp_path / "a.svg", "newer a")
            stage(tmp_path / "c.svg", "c")
            raise Stop
    assert (tmp_path / "a.svg").read_text() == "new a" and not (tmp_path / "c.svg").exists()
    assert leftovers(tmp_path) == []


def _read_only(monkeypatch, name):
    """Make the file ``name`` read-only as far as rnnquiz can tell, even for root."""
    real = os.access
    monkeypatch.setattr(files.os, "access", lambda path, mode, **kw: (
        not str(path).endswith(os.sep + name) and real(path, mode, **kw)))


def test_a_staged_file_that_may_not_be_replaced_stops_before_anything_lands(tmp_path,
                                                                              monkeypatch):
    (tmp_path / "b.svg").write_text("theirs")
    _read_only(monkeypatch, "b.svg")
    with pytest.raises(PermissionError):
        with files.staged_files() as stage:
            stage(tmp_path / "a.svg", "a")
            stage(tmp_path / "b.svg", "b")
    assert not (tmp_path / "a.svg").exists() and (tmp_path / "b.svg").read_text() == "theirs"
    assert leftovers(tmp_path) == []


def _figures_export(tmp_path, fmt="json"):
    """An export with figures into tmp_path (sheet.json, or sheet.md): (its arguments, the
    figure file names), the figures removed and the sheet replaced by a teacher's own."""
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    sheet = tmp_path / ("sheet.json" if fmt == "json" else "sheet.md")
    args = ["export", "--format", fmt, "--count", "12", "--seed", "2", "--skill", "figures",
            "-o", str(sheet)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    figures = sorted(p.name for p in tmp_path.glob("fig-*.svg"))
    assert figures and "figure(s) beside" in first.stderr
    assert all(name in sheet.read_text() for name in figures)
    sheet.write_text("the teacher's own")
    for name in figures:
        (tmp_path / name).unlink()
    return args, figures


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_a_figure_that_is_a_folder_or_fails_at_its_rename_leaves_the_sheet_as_it_was(
        fmt, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    args, figures = _figures_export(tmp_path, fmt)
    sheet = tmp_path / args[-1]
    (tmp_path / figures[0]).mkdir()  # refused before anything lands
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {figures[0]}: Is a directory\n"
    (tmp_path / figures[0]).rmdir()
    real = os.replace

    def failing(src, dst, **kw):  # the figures are renamed before the JSON file
        if str(dst).endswith(figures[-1]):
            raise OSError(5, "Input/output error", src)
        return real(src, dst, **kw)

    monkeypatch.setattr(files.os, "replace", failing)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {figures[-1]}: Input/output error\n"
    assert sheet.read_text() == "the teacher's own"
    assert leftovers(tmp_path) == []


def test_a_json_export_whose_figure_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    """The figure files of a JSON export land with it or not at all: a figure that may not be
    replaced is one line naming it, and the JSON file already there is left as it was."""
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    args, figures = _figures_export(tmp_path)
    (tmp_path / figures[-1]).write_text("theirs")
    _read_only(monkeypatch, figures[-1])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {figures[-1]}: Permission denied\n"
    assert (tmp_path / "sheet.json").read_text() == "the teacher's own"
    assert sorted(p.name for p in tmp_path.glob("fig-*.svg")) == [figures[-1]]
    assert (tmp_path / figures[-1]).read_text() == "theirs"
    assert leftovers(tmp_path) == []


# -- trace --json -------------------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    ("W_xh: [[1]]\nW_hh: [[1]]\nb_h: [.nan]\nxs: [[1]]\n", "b_h: every entry must be a finite"),
    ("W_xh: [[1]]\nW_hh: [[1]]\nW_hy: [[1]]\nb_y: [-.inf]\nxs: [[1]]\n",
     "b_y: every entry must be a finite"),
    ("W_xh: [[1]]\nW_hh: [[1]]\nh0: [.inf]\nxs: [[1]]\n", "h0: every entry must be a finite"),
    ("W_xh: [[1e308]]\nW_hh: [[1e308]]\nW_hy: [[1e308]]\nxs: [[1], [1]]\n",
     "loss_1 overflows float64"),
    ("W_xh: [[1e200]]\nW_hh: [[1]]\nW_hy: [[1e200]]\nxs: [[1]]\nactivation: identity\n",
     "o_1 overflows float64"),
    ("W_xh: [[1e308, 1e308]]\nW_hh: [[0.5]]\nxs: [[0, 1], [1, 1]]\n", "a_2 overflows float64"),
])
def test_trace_json_never_holds_nan_or_infinity(body, message, tmp_path):
    (tmp_path / "w.yaml").write_text(body)
    result = forked(["trace", "--weights", "w.yaml", "--json", "--backward"], tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    err = result.stderr
    assert err.count("\n") == 1 and message in err, err
