"""The attempt store: one SQLite row per answered problem, written when it is answered.

A corrupt or unwritable database never stops practice: the bad file is moved aside (never
deleted), a warning is kept for the caller to show, and the session goes on (in memory if the
folder cannot be written at all).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

ENV_DATA_DIR = "RNNQUIZ_DATA_DIR"
DB_NAME = "history.sqlite3"

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


class History:
    """Attempts in ``data_dir/history.sqlite3``; ``warnings`` says what went wrong, if anything."""

    def __init__(self, data_dir=None, *, clock=time.time):
        self.clock = clock
        self.warnings = []
        self.path = Path(data_dir) if data_dir is not None else default_data_dir()
        self.path = self.path / DB_NAME
        self.conn = self._open()

    def _open(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path)
            conn.executescript(SCHEMA)
            conn.execute("SELECT count(*) FROM attempts").fetchone()
            return conn
        except sqlite3.DatabaseError as e:
            return self._set_aside(e)
        except OSError as e:
            self.warnings.append(f"cannot write history in {self.path.parent} ({e.strerror or e});"
                                 " this session's attempts are kept in memory only")
            return self._memory()

    def _set_aside(self, error):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
            conn = sqlite3.connect(self.path)
            conn.executescript(SCHEMA)
            self.warnings.append(f"history database {self.path} was unreadable ({error}); "
                                 f"kept it as {aside.name} and started a new one")
            return conn
        except (OSError, sqlite3.DatabaseError) as e:
            self.warnings.append(f"history database {self.path} is unusable ({error}; {e}); "
                                 "this session's attempts are kept in memory only")
            return self._memory()

    def _memory(self):
        conn = sqlite3.connect(":memory:")
        conn.executescript(SCHEMA)
        return conn

    def record(self, variant_id, skill, answer, correct, misconception=None) -> None:
        """Write one attempt now; a failure becomes a warning, never an exception."""
        row = (self.clock(), variant_id, skill, answer, int(bool(correct)), misconception)
        try:
            with self.conn:
                self.conn.execute(
                    "INSERT INTO attempts (time, variant_id, skill, answer, correct, "
                    "misconception) VALUES (?, ?, ?, ?, ?, ?)", row)
        except sqlite3.DatabaseError as e:
            self.warnings.append(f"could not save an attempt ({e}); continuing in memory")
            self.conn = self._memory()
            with self.conn:
                self.conn.execute(
                    "INSERT INTO attempts (time, variant_id, skill, answer, correct, "
                    "misconception) VALUES (?, ?, ?, ?, ?, ?)", row)

    def attempts(self) -> list:
        """Every attempt, oldest first."""
        try:
            rows = self.conn.execute(
                "SELECT time, variant_id, skill, answer, correct, misconception FROM attempts "
                "ORDER BY time, id").fetchall()
        except sqlite3.DatabaseError as e:
            self.warnings.append(f"could not read the history ({e})")
            return []
        return [Attempt(*row) for row in rows]

    def close(self) -> None:
        self.conn.close()
