"""Measurement storage: SQLite by default, PostgreSQL optionally (psycopg2).

Idempotent on (node, seq): the table has UNIQUE(node, seq) and inserts are
INSERT OR IGNORE (SQLite) / ON CONFLICT DO NOTHING (PostgreSQL), so a record
delivered twice (a QoS 1 resend, two BLE relays hearing one advert) is stored
once; add() tells which happened. SQLite runs in WAL mode with
synchronous=NORMAL: a commit survives a crash of the gateway process; the
last commits may be lost on an OS crash or power cut.
"""
import json
import sqlite3
import time

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS measurements (
        node TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind INTEGER NOT NULL DEFAULT 0,
        node_time INTEGER,
        received_at REAL NOT NULL,
        source TEXT NOT NULL,
        vals TEXT NOT NULL,
        UNIQUE (node, seq))""",
    """CREATE TABLE IF NOT EXISTS ble_counters (
        mac TEXT PRIMARY KEY,
        counter INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rejects (
        at REAL NOT NULL,
        topic TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS gateway_stats (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL)""",
]
MAX_REJECT_PAYLOAD = 256  # hex chars kept of a rejected payload


def open_store(url):
    """'postgresql://...' -> PostgresStore; anything else is a SQLite path
    (an optional 'sqlite:///' prefix is removed)."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    if url.startswith("sqlite:///"):  # sqlite:///rel.db, sqlite:////abs/path.db
        url = url[len("sqlite:///"):]
    return SqliteStore(url)


class SqliteStore:
    def __init__(self, path):
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for s in SCHEMA:
            self.db.execute(s)
        self.db.commit()

    def add(self, node, seq, values, source, kind=0, node_time=None, received_at=None):
        """Stores one record; True if new, False if (node, seq) was already there."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO measurements (node, seq, kind, node_time, received_at, source, vals)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (node, int(seq), int(kind), node_time, received_at or time.time(), source,
             json.dumps(values, separators=(",", ":"), sort_keys=True)))
        return cur.rowcount == 1

    def reject(self, topic, reason, payload):
        self.db.execute("INSERT INTO rejects (at, topic, reason, payload) VALUES (?, ?, ?, ?)",
                        (time.time(), topic, reason, bytes(payload).hex()[:MAX_REJECT_PAYLOAD]))

    def counters(self):
        return dict(self.db.execute("SELECT mac, counter FROM ble_counters"))

    def set_counter(self, mac, counter):
        self.db.execute("INSERT INTO ble_counters (mac, counter) VALUES (?, ?) "
                        "ON CONFLICT(mac) DO UPDATE SET counter = excluded.counter", (mac, counter))

    def save_stats(self, stats):
        self.db.executemany("INSERT INTO gateway_stats (key, value) VALUES (?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", stats.items())

    def load_stats(self):
        return dict(self.db.execute("SELECT key, value FROM gateway_stats"))

    def commit(self):
        self.db.commit()

    def close(self):
        self.db.commit()
        self.db.close()


class PostgresStore:  # pragma: no cover - optional, not exercised by the tests
    """The same schema on PostgreSQL through psycopg2 (if installed)."""

    def __init__(self, url):
        try:
            import psycopg2
        except ImportError as exc:
            raise RuntimeError("PostgreSQL storage needs psycopg2 (Debian: python3-psycopg2)") from exc
        self.db = psycopg2.connect(url)
        with self.db.cursor() as c:
            for s in SCHEMA:
                c.execute(s.replace("REAL", "DOUBLE PRECISION"))
        self.db.commit()

    def _exec(self, sql, args=()):
        c = self.db.cursor()
        c.execute(sql, args)
        return c

    def add(self, node, seq, values, source, kind=0, node_time=None, received_at=None):
        c = self._exec(
            "INSERT INTO measurements (node, seq, kind, node_time, received_at, source, vals)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (node, seq) DO NOTHING",
            (node, int(seq), int(kind), node_time, received_at or time.time(), source,
             json.dumps(values, separators=(",", ":"), sort_keys=True)))
        return c.rowcount == 1

    def reject(self, topic, reason, payload):
        self._exec("INSERT INTO rejects (at, topic, reason, payload) VALUES (%s, %s, %s, %s)",
                   (time.time(), topic, reason, bytes(payload).hex()[:MAX_REJECT_PAYLOAD]))

    def counters(self):
        return dict(self._exec("SELECT mac, counter FROM ble_counters").fetchall())

    def set_counter(self, mac, counter):
        self._exec("INSERT INTO ble_counters (mac, counter) VALUES (%s, %s) "
                   "ON CONFLICT (mac) DO UPDATE SET counter = excluded.counter", (mac, counter))

    def save_stats(self, stats):
        for k, v in stats.items():
            self._exec("INSERT INTO gateway_stats (key, value) VALUES (%s, %s) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (k, v))

    def load_stats(self):
        return dict(self._exec("SELECT key, value FROM gateway_stats").fetchall())

    def commit(self):
        self.db.commit()

    def close(self):
        self.db.commit()
        self.db.close()
