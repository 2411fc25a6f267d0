"""The attempt store: one SQLite row per answered problem, written when it is answered.

Faults never stop practice, never lose an answer and never destroy a file:

- contention (another program holds the database locked) is waited for with a busy timeout;
  beyond it the attempt stays pending and is retried at each later answer and at close;
- a full disk or another write error keeps attempts pending the same way;
- only a file SQLite calls "not a database", or whose integrity check fails, is moved aside,
  under a unique name that never overwrites anything (``rnnquiz.drill.safekeeping``);
- rows holding NULL or text where a number belongs are skipped and counted;
- attempts still pending at close go to an ``unsaved-*.jsonl`` file beside the history, which
  the next session that can write imports.

Every fault is reported through ``warn`` when it happens (and kept in ``warnings``).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

from rnnquiz.drill import safekeeping

ENV_DATA_DIR = "RNNQUIZ_DATA_DIR"
DB_NAME = "history.sqlite3"
BUSY_TIMEOUT = 5.0  # seconds to wait for another program's lock before giving up for now
RETRY_WAIT = 0.1  # seconds per retry once the file is known to be locked or failing

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    variant_id TEXT NOT NULL,
    skill TEXT NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL,
    misconception TEXT
);
CREATE INDEX IF NOT EXISTS attempts_skill ON attempts (skill, time);
"""
COLUMNS = "time, variant_id, skill, answer, correct, misconception"
INSERT = f"INSERT INTO attempts ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"


class HistoryBusyError(Exception):
    """The history stayed locked by another program beyond the busy timeout."""


def default_data_dir() -> Path:
    """$RNNQUIZ_DATA_DIR, else the platform's per-user data folder."""
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "rnnquiz"


class Attempt:
    __slots__ = ("time", "variant_id", "skill", "answer", "correct", "misconception")

    def __init__(self, time, variant_id, skill, answer, correct, misconception):
        self.time = time
        self.variant_id = variant_id
        self.skill = skill
        self.answer = answer
        self.correct = bool(correct)
        self.misconception = misconception


def fault_kind(error: sqlite3.Error) -> str:
    """'busy', 'notadb', 'corrupt', 'full' or 'other', from SQLite's error code."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return "busy"
    if primary == sqlite3.SQLITE_NOTADB or "not a database" in text:
        return "notadb"
    if primary == sqlite3.SQLITE_CORRUPT or "malformed" in text:
        return "corrupt"
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return "full"
    return "other"


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class History:
    """Attempts in ``data_dir/history.sqlite3``; ``warnings`` says what went wrong, if anything.

    ``timeout`` is the busy timeout in seconds (default BUSY_TIMEOUT); ``warn(text)``
    is called as soon as something goes wrong.
    """

    def __init__(self, data_dir=None, *, clock=time.time, timeout=None, warn=None):
        self.clock = clock
        self.timeout = BUSY_TIMEOUT if timeout is None else timeout
        self.warnings = []
        self._warn = warn
        self.pending = []  # rows answered but not yet in the file
        self._fault = None  # the kind of the last write fault reported, None when healthy
        self._ready = False  # schema known to be in place
        self.path = Path(data_dir) if data_dir is not None else default_data_dir()
        self.path = self.path / DB_NAME
        self.conn = None  # None: memory only, nothing will reach a file
        self._identity = None  # (device, inode) of the file self.conn has open
        self._open()
        if self.conn is not None and self._ready:
            self._import_unsaved()

    # --- reporting --------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.warnings.append(text)
        if self._warn is not None:
            self._warn(text)

    def _report(self, kind, error) -> None:
        """Say once per kind of fault that attempts are kept pending."""
        if kind == self._fault:
            return
        self._fault = kind
        if kind == "busy":
            self._say(f"history {self.path} is locked by another program (waited "
                      f"{self.timeout:g} s); your answers are kept and saved when it is free")
        elif kind == "full":
            self._say(f"the disk holding {self.path} is full; your answers are kept and saved "
                      "when there is room")
        else:
            self._say(f"could not write history {self.path} ({error}); your answers are kept "
                      "and retried")

    # --- opening ----------------------------------------------------------------------
    def _connect(self):
        conn = sqlite3.connect(self.path, timeout=self.timeout)
        conn.text_factory = _lenient_text
        return conn

    def _wait(self, seconds) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def _prepare(self) -> None:
        """Schema in place, the file checked, WAL mode when it can be had without waiting."""
        self.conn.executescript(SCHEMA)
        verdict = self.conn.execute("PRAGMA quick_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            first = str(verdict and verdict[0]).splitlines()[0]
            raise sqlite3.DatabaseError(f"integrity check failed: {first}")
        try:  # readers never block the writer in WAL mode; best effort, never waited for
            self._wait(0)
            self.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError:
            pass
        finally:
            self._wait(self.timeout if self._fault is None else RETRY_WAIT)
        self._ready = True

    def _open(self) -> None:
        """Connect, check, and move a damaged file aside, holding the folder lock throughout:
        no other rnnquiz can move the file between our opening it and SQLite reading it (a
        moved file's connection would take the new file's journal for its own)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            self._say(f"cannot write history in {self.path.parent} ({e.strerror or e});"
                      " this session's attempts are kept in memory only")
            return
        lock = safekeeping.FolderLock(self.path.parent)
        locked = lock.acquire(self.timeout + 1)
        try:
            self._open_checked(may_move=locked)
        finally:
            lock.release()
        self._identity = safekeeping.identity(self.path)

    def _open_checked(self, may_move: bool) -> None:
        for _ in range(3):  # a file moved aside without our lock (no locks here): look again
            identity = safekeeping.identity(self.path)
            try:
                self.conn = self._connect()
            except (sqlite3.DatabaseError, OSError) as e:
                self._say(f"cannot open history {self.path} ({e}); this session's attempts "
                          "are kept in memory only")
                return
            try:
                self._prepare()
                return
            except sqlite3.DatabaseError as e:
                kind = fault_kind(e)
                if kind in ("busy", "full"):
                    self._report(kind, e)
                    self._wait(RETRY_WAIT)
                    return
                self.conn.close()
                self.conn = None
                if not self._damaged(e, kind):
                    self._say(f"cannot use history {self.path} ({e}); this session's attempts "
                              "are kept in memory only")
                    return
                if not may_move:
                    self._say(f"history {self.path} is unreadable ({e}) and another rnnquiz "
                              "is using its folder, so it stays where it is for now; this "
                              "session's attempts are kept in memory only")
                    return
                try:
                    aside = safekeeping.move_aside(self.path, identity)
                except OSError as oe:
                    self._say(f"history {self.path} is unreadable ({e}) and could not be moved "
                              f"aside ({oe.strerror or oe}); this session's attempts are kept "
                              "in memory only")
                    return
                if aside is not None:
                    self._say(f"history database {self.path} was unreadable ({e}); kept it as "
                              f"{aside.name} and started a new one")
            except OSError as e:
                self.conn.close()
                self.conn = None
                self._say(f"cannot use history {self.path} ({e.strerror or e}); this "
                          "session's attempts are kept in memory only")
                return
        self._say(f"history {self.path} keeps changing under us; this session's attempts are "
                  "kept in memory only")

    def _moved_away(self) -> bool:
        """The file we opened is no longer the one at our path (another session moved it)."""
        return self.conn is not None and safekeeping.identity(self.path) != self._identity

    def _damaged(self, error, kind) -> bool:
        """SQLite says the file is not a database, or its full integrity check fails."""
        if kind == "notadb":
            return True
        try:
            uri = Path(os.path.abspath(self.path)).as_uri() + "?mode=ro"
            probe = sqlite3.connect(uri, uri=True, timeout=self.timeout)
            try:
                rows = probe.execute("PRAGMA integrity_check").fetchall()
            finally:
                probe.close()
        except sqlite3.DatabaseError as e:
            return fault_kind(e) in ("notadb", "corrupt")
        return rows != [("ok",)]

    # --- writing ----------------------------------------------------------------------
    def record(self, variant_id, skill, answer, correct, misconception=None) -> None:
        """Keep one attempt and write it now if the file allows; never raises."""
        self.pending.append((self.clock(), variant_id, skill, answer, int(bool(correct)),
                             misconception))
        self._flush()

    def _flush(self, patient=False) -> None:
        if not self.pending:
            return
        if self._moved_away():  # write to the file now at our path, never to one moved aside
            self.conn.close()
            self.conn, self._ready, self._fault = None, False, None
            self._open()
        if self.conn is None:
            return
        try:
            if patient:
                self._wait(self.timeout)
            if not self._ready:
                self._prepare()
            with self.conn:
                self.conn.executemany(INSERT, self.pending)
        except sqlite3.DatabaseError as e:
            kind = fault_kind(e)
            if kind in ("notadb", "corrupt"):
                kind = "other"  # found mid-session: the next session checks and moves it aside
            self._report(kind, e)
            self._wait(RETRY_WAIT)
            return
        if self._fault is not None:
            self._say(f"history {self.path} is writable again: saved {len(self.pending)} "
                      "pending attempt(s)")
            self._fault = None
            self._wait(self.timeout)
        self.pending.clear()

    # --- reading ----------------------------------------------------------------------
    def attempts(self) -> list:
        """Every readable attempt, oldest first, this session's unsaved ones included.

        Raises HistoryBusyError when the file stays locked beyond the busy timeout.
        """
        rows = []
        if self.conn is not None:
            try:
                if not self._ready:
                    self._prepare()
                rows = self.conn.execute(
                    f"SELECT {COLUMNS} FROM attempts ORDER BY time, id").fetchall()
            except sqlite3.DatabaseError as e:
                if fault_kind(e) == "busy":
                    raise HistoryBusyError(
                        f"history {self.path} is locked by another program (waited "
                        f"{self.timeout:g} s); try again once it is closed") from e
                self._say(f"could not read the history ({e})")
        good = [row for row in rows if safekeeping.valid_row(row)]
        if len(good) < len(rows):
            bad = len(rows) - len(good)
            self._say(f"skipped {bad} unreadable row(s) in {self.path} (NULL or text where a "
                      "number belongs)")
        return [Attempt(*row) for row in good + self.pending]

    # --- closing ----------------------------------------------------------------------
    def _import_unsaved(self) -> None:
        """Fold attempts an earlier session could not save back into the history."""
        try:
            moved = safekeeping.import_unsaved(self.path, self._insert_rows, self.timeout)
        except (OSError, sqlite3.DatabaseError):
            return  # they stay on disk for a later session
        if moved:
            self._say(f"saved {moved} attempt(s) an earlier session could not write")

    def _insert_rows(self, rows) -> None:
        with self.conn:
            self.conn.executemany(INSERT, rows)

    def close(self) -> None:
        """Write what is pending (waiting the full timeout once), else into a side file."""
        try:
            try:
                self._flush(patient=True)
            finally:  # even when Ctrl-C cuts the wait short
                self._keep_pending()
        finally:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

    def _keep_pending(self) -> None:
        """Pending attempts into a new side file the user is told about."""
        if not self.pending:
            return
        n = len(self.pending)
        try:
            where = safekeeping.write_unsaved(self.path, self.pending)
        except OSError as e:
            lines = "\n".join(safekeeping.row_json(r) for r in self.pending)
            self._say(f"{n} attempt(s) of this session could not be saved and no file could "
                      f"hold them ({e.strerror or e}); here they are:\n{lines}")
        else:
            self._say(f"{n} attempt(s) of this session could not be saved in the history; "
                      f"they are in {where}, and the next session that can write the history "
                      "takes them in")
        self.pending.clear()
