#!/usr/bin/env python3
"""pg_clone benchmark.

Compares pg_clone with raw binary COPY pipes, pg_dump | psql, pgcopydb and logical replication's initial
copy, in one run on the same data, as ratios; and pg_clone with two-phase commit against its fallback
without it (pg_clone.two_phase = off). It never fails because something is slow; it fails only when
something breaks (a command fails, a clone does not end 'done', or a target ends with wrong row counts).

    sudo python3 bench/run.py                       # default scale, about 1.5 minutes on 2 cores
    sudo SCALE=full python3 bench/run.py            # the reference data set: ~1 GB in 6M rows over 5 tables
    sudo SCALE=0.2 REPEAT=3 python3 bench/run.py --json /tmp/bench.json

`bash bench/run.sh` runs this script. Environment (see bench/README.md for each line of the output):

  SCALE         fraction of 6M rows for the big data set, or "full" (= 1); default 0.5
  REPEAT        runs per timed contestant, the best is kept; default 1
  SMALL_TABLES  tables of the small data set; default 200
  SMALL_ROWS    rows of each small table; default 1000
  ONLY          a subset of the contestants, by key (spaces or commas): pipe1 pipe2 clone1 clone1off clone3
                clone3off pipe3 seed refresh nofreeze pgcopydb pgcopydbsplit logrep dump dumpt dumpta sclone
                spipes; default all
  STREAMS       pg_clone's big lines also run with streams => N for each N here; default "1 2 4"
                (set and empty: only the server's default)
  TWO_PHASE     pg_clone.two_phase of the target cluster (auto, on, off); default auto. The lines
                "..., two-phase off" run with pg_clone.two_phase = off whatever this is
  COPY_FREEZE   pg_clone.copy_freeze of the target cluster (on, off); default on. The line "..., refresh,
                FREEZE off" runs with off whatever this is
  TARGET_CONF   more lines for the target cluster's postgresql.conf (";" between them), for experiments:
                "max_parallel_maintenance_workers = 0; pg_clone.build_indexes_after = off"
  CLONE_ARGS    more arguments for every bucardo.clone() call, such as ", verify => true"
  TRANSPORT     unix (default): every connection over unix sockets; tcp: over 127.0.0.1
  DATASET       standard (default): 5 tables of mixed columns; shapes: one narrow and one wide table
  PGCOPYDB      1 (default): use pgcopydb, installing it with apt-get when root and missing; 0: skip it
  LOGREP        1 (default): run logical replication's initial copy; 0: skip it
  SRC_PORT      source cluster's port; default 55491
  TGT_PORT      target cluster's port; default 55492
  KEEP          1: leave the scratch dir and the servers' logs behind (servers stopped); default 0
  PG_BIN        PostgreSQL 15's bin directory; default: PG_CONFIG's --bindir, else
                /usr/lib/postgresql/15/bin
  PG_CONFIG     a pg_config whose --bindir is used when PG_BIN is not set
"""

import argparse
import contextlib
import dataclasses
import datetime
import difflib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from typing import Callable, Optional

DEFAULT_PG_BIN = "/usr/lib/postgresql/15/bin"
REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
ONLY_KEYS = ("pipe1 pipe2 clone1 clone1off clone3 clone3off pipe3 seed refresh nofreeze pgcopydb pgcopydbsplit "
             "logrep dump dumpt dumpta sclone spipes").split()
# pg_clone.two_phase's values (src/module.cpp), by the name SHOW gives them.
TWO_PHASE_VALUES = {"auto": "auto", "on": "on", "off": "off", "true": "on", "false": "off", "yes": "on",
                    "no": "off", "1": "on", "0": "off"}
COLUMNS_DDL = ("id int8 PRIMARY KEY, account int8 NOT NULL, label text NOT NULL, amount numeric(14,2),\n"
               "             created timestamptz NOT NULL, note text")
# DATASET=shapes: big_1 is narrow (about 40 bytes a row), big_2 wide and of mixed types, with NULLs.
NARROW_DDL = "id int8 PRIMARY KEY, n int4 NOT NULL, flag bool"
WIDE_DDL = "id int8 PRIMARY KEY, amount numeric(18,6), doc jsonb, blob bytea, ref uuid, at timestamptz, name text"


# In the target cluster's data directory: the settings of the contestant that runs (see target_settings).
SETTINGS_FILE = "bench_settings.conf"


class BenchError(Exception):
    """Something broke: the bench fails (exit 1)."""


def die(message: str):
    raise BenchError(message)


def is_root() -> bool:
    return os.geteuid() == 0


# ------------------------------------------------------------------------------------------- settings
@dataclasses.dataclass
class Settings:
    scale: str
    repeat: int
    small_tables: int
    small_rows: int
    pgcopydb: bool
    logrep: bool
    keep: bool
    streams: list
    transport: str
    dataset: str
    src_port: int
    tgt_port: int
    two_phase: str
    copy_freeze: str
    target_conf: str
    clone_args: str
    only: list
    pg_bin: str

    @property
    def big_rows(self) -> int:
        return int(float(self.scale) * 6000000)


def positive_int(env, name: str, default: str, minimum: int = 1) -> int:
    value = env.get(name) or default
    if not re.fullmatch(r"[0-9]+", value) or int(value) < minimum:
        die(f"{name} must be an integer >= {minimum}")
    return int(value)


def pg_bin_from_env(env) -> str:
    if env.get("PG_BIN"):
        return env["PG_BIN"]
    if env.get("PG_CONFIG"):
        try:
            return subprocess.run([env["PG_CONFIG"], "--bindir"], check=True, capture_output=True,
                                  text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError) as e:
            die(f"PG_CONFIG={env['PG_CONFIG']}: {e}")
    return DEFAULT_PG_BIN


def settings_from_env(env) -> Settings:
    scale = env.get("SCALE") or "0.5"
    if scale == "full":
        scale = "1"
    transport = env.get("TRANSPORT") or "unix"
    dataset = env.get("DATASET") or "standard"
    two_phase = (env.get("TWO_PHASE") or "auto").lower()
    if transport not in ("unix", "tcp"):
        die("TRANSPORT must be unix or tcp")
    if dataset not in ("standard", "shapes"):
        die("DATASET must be standard or shapes")
    if not re.fullmatch(r"[0-9]*\.?[0-9]+", scale):
        die("SCALE must be a number (fraction of 6M rows) or 'full'")
    if two_phase not in TWO_PHASE_VALUES:
        die("TWO_PHASE must be auto, on or off")
    copy_freeze = (env.get("COPY_FREEZE") or "on").lower()
    if copy_freeze not in ("on", "off"):
        die("COPY_FREEZE must be on or off")
    streams = env.get("STREAMS", "1 2 4").split()
    if any(not re.fullmatch(r"[1-9][0-9]*", n) for n in streams):
        die("STREAMS must be positive integers separated by spaces")
    only = (env.get("ONLY") or " ".join(ONLY_KEYS)).replace(",", " ").split()
    unknown = [k for k in only if k not in ONLY_KEYS]
    if unknown:
        die(f"ONLY: unknown key(s) {' '.join(unknown)}; the keys are: {' '.join(ONLY_KEYS)}")
    s = Settings(scale=scale, repeat=positive_int(env, "REPEAT", "1"),
                 small_tables=positive_int(env, "SMALL_TABLES", "200"),
                 small_rows=positive_int(env, "SMALL_ROWS", "1000"),
                 pgcopydb=(env.get("PGCOPYDB") or "1") == "1", logrep=(env.get("LOGREP") or "1") == "1",
                 keep=env.get("KEEP") == "1", streams=streams, transport=transport, dataset=dataset,
                 src_port=positive_int(env, "SRC_PORT", "55491"), tgt_port=positive_int(env, "TGT_PORT", "55492"),
                 two_phase=TWO_PHASE_VALUES[two_phase], copy_freeze=copy_freeze,
                 target_conf="\n".join(x.strip() for x in env.get("TARGET_CONF", "").split(";")), clone_args=env.get("CLONE_ARGS", ""), only=only,
                 pg_bin=pg_bin_from_env(env))
    if s.big_rows < 1000:
        die("SCALE too small")
    return s


# ----------------------------------------------------------------------------------- child processes
class Children:
    """Every child process started, so that the cleanup can end those still running."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs = set()
        self.closed = False

    def popen(self, cmd, **kwargs) -> subprocess.Popen:
        with self.lock:
            if self.closed:
                raise BenchError("stopping")
            proc = subprocess.Popen(cmd, **kwargs)
            self.procs.add(proc)
        return proc

    def wait(self, proc: subprocess.Popen, what: str, input=None) -> Optional[str]:
        """Waits for proc (feeding it input), fails unless it exits 0; returns its output if captured."""
        # Interrupted (Ctrl-C), the process stays listed for kill_all.
        if input is None and (proc.stdout is None or proc.stdout.closed):
            out = None
            proc.wait()
        else:
            out, _ = proc.communicate(input)
        with self.lock:
            self.procs.discard(proc)
        if proc.returncode != 0:
            die(f"{what} failed (exit {proc.returncode})")
        return out

    def run(self, cmd, *, input: Optional[str] = None, capture=False, env=None, stdout=None, stderr=None,
            what: Optional[str] = None) -> str:
        proc = self.popen(cmd, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE if capture else stdout, stderr=stderr, env=env, text=True)
        out = self.wait(proc, what or os.path.basename(cmd[0]), input)
        return (out or "").rstrip("\n")

    def kill_all(self):
        with self.lock:
            self.closed = True
            procs = list(self.procs)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


CHILDREN = Children()


def parallel(*functions: Callable[[], None]):
    """Runs the functions side by side in threads; raises the first exception any of them raised."""
    errors = []

    def wrap(fn):
        try:
            fn()
        except BaseException as e:  # noqa: B902 - re-raised in the calling thread
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(fn,), daemon=True) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


# ----------------------------------------------------------------------------------------------- /proc
def proc_stat(pid: int) -> Optional[list]:
    """The fields of /proc/PID/stat from the third (state) on: field N is at index N - 3."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def proc_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 if it is gone)."""
    f = proc_stat(pid)
    return int(f[11]) + int(f[12]) if f else 0


def proc_args(pid: int) -> str:
    """A process's command line as ps shows it (for a server process: its title)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def children_of(ppid: int) -> list:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = proc_stat(int(entry))
            if f and int(f[1]) == ppid:
                pids.append(int(entry))
    return pids


def child_with_title(ppid: int, title: str) -> Optional[int]:
    for pid in children_of(ppid):
        if title in proc_args(pid):
            return pid
    return None


def child_ticks(pm: int) -> int:
    """CPU of a cluster: the postmaster's cutime + cstime (children that exited) plus the CPU of its
    children still running (checkpointer, walwriter, the pg_clone launcher...)."""
    f = proc_stat(pm)
    if not f:
        die(f"postmaster {pm} is gone")
    return int(f[13]) + int(f[14]) + sum(proc_ticks(pid) for pid in children_of(pm))


def client_cpu() -> float:
    """CPU seconds of this script's children that have exited (psql, pg_dump, pgcopydb)."""
    t = os.times()
    return t.children_user + t.children_system


def process_kind(title: str) -> str:
    """What a server process does, from its title: a backend's statement ("COPY", "REINDEX", "ANALYZE",
    "idle in transaction"...), or the process ("pg_clone worker", "walwriter", "checkpointer"...)."""
    if "pg_clone worker" in title:
        return "worker"
    if "pg_clone launcher" in title:
        return "launcher"
    if title.startswith("postgres: parallel worker for PID"):
        return "parallel worker"
    m = re.match(r"postgres: \S+ \S+ (?:\[local\]|\S+\(\d+\)|\S+) (.*)$", title)
    if m and not title.startswith("postgres: logical replication"):
        words = m.group(1).split()
        if not words:
            return "backend"
        if words[0] == "idle":
            return "idle"
        return words[0] if words[0].isupper() else "backend"
    m = re.match(r"postgres: (.*)$", title)
    what = m.group(1) if m else title
    for kind in ("walwriter", "checkpointer", "background writer", "walsender", "autovacuum",
                 "logical replication"):
        if what.startswith(kind):
            return kind
    return "other"


class KindSampler:
    """CPU ticks of a cluster's processes by kind (process_kind), sampled every 0.1 s: each process's
    ticks since the last sample go to what its title says now, or said at the previous sample when it
    is idle now (a statement shorter than 0.1 s is then still found). What processes that exited between
    two samples used is not seen here: the caller counts it as the remainder."""

    def __init__(self, pm: int):
        self.pm = pm
        self.last = {}        # pid -> (ticks, kind)
        self.ticks = {}       # kind -> ticks
        self.stop_event = threading.Event()
        self.sample(first=True)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def sample(self, first: bool = False):
        for pid in children_of(self.pm):
            ticks, kind = proc_ticks(pid), process_kind(proc_args(pid))
            before, previous = self.last.get(pid, (None if first else 0, kind))
            if before is not None and ticks > before:
                where = previous if kind in ("idle", "backend") and previous not in ("idle", "backend") else kind
                self.ticks[where] = self.ticks.get(where, 0) + ticks - before
            self.last[pid] = (ticks, kind)

    def loop(self):
        while not self.stop_event.wait(0.1):
            self.sample()

    def stop(self) -> dict:
        self.stop_event.set()
        self.thread.join(timeout=5)
        self.sample()
        return {kind: t / CLK_TCK for kind, t in self.ticks.items()}


# ---------------------------------------------------------------------------------------------- Cluster
class Cluster:
    """A PostgreSQL cluster made on the spot in the scratch directory, run as the postgres user when
    this script runs as root (PostgreSQL refuses root); clients connect as role postgres."""

    def __init__(self, name: str, port: int, work: str, host: str, pg_bin: str, listen: str):
        self.name = name
        self.port = port
        self.work = work
        self.host = host
        self.pg_bin = pg_bin
        self.listen = listen
        self.datadir = os.path.join(work, name)
        self.logfile = os.path.join(work, name + ".log")
        self.pm = 0

    def as_pg(self, *cmd) -> list:
        env = ["env", f"PATH={self.pg_bin}:{os.environ.get('PATH', '')}"]
        return (["runuser", "-u", "postgres", "--"] if is_root() else []) + env + list(cmd)

    def initdb(self, extra_conf: str = ""):
        CHILDREN.run(self.as_pg(f"{self.pg_bin}/initdb", "-D", self.datadir, "-A", "trust", "-U", "postgres",
                                "-E", "UTF8", "--locale=C", "--no-sync"), stdout=subprocess.DEVNULL, what="initdb")
        # The same settings on both clusters and for every contestant.
        with open(os.path.join(self.datadir, "postgresql.conf"), "a") as f:
            f.write(f"""port = {self.port}
listen_addresses = '{self.listen}'
unix_socket_directories = '{self.work}'
shared_buffers = 512MB
max_wal_size = 4GB
min_wal_size = 4GB
checkpoint_timeout = 30min
wal_level = logical
autovacuum = off
max_worker_processes = 16
log_min_messages = warning
log_checkpoints = off
{extra_conf}
""")

    def start(self):
        CHILDREN.run(self.as_pg(f"{self.pg_bin}/pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w", "start"),
                     stdout=subprocess.DEVNULL, what=f"pg_ctl start ({self.name})")
        with open(os.path.join(self.datadir, "postmaster.pid")) as f:
            self.pm = int(f.readline())

    def running(self) -> bool:
        return os.path.exists(os.path.join(self.datadir, "postmaster.pid"))

    def stop(self):
        """Stops the cluster (immediate mode) if it runs; never raises."""
        if not self.running():
            return
        try:
            subprocess.run(self.as_pg(f"{self.pg_bin}/pg_ctl", "-D", self.datadir, "-m", "immediate", "-w",
                                      "stop"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                           timeout=120)
        except (OSError, subprocess.SubprocessError):
            print(f"bench: could not stop the {self.name} cluster (data dir {self.datadir})", file=sys.stderr)

    def psql_cmd(self, db: str, *sql: str, args=()) -> list:
        cmd = [f"{self.pg_bin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-h", self.host,
               "-p", str(self.port), "-d", db, *args]
        for statement in sql:
            cmd += ["-c", statement]
        return cmd

    def psql(self, db: str, *sql: str, args=(), input: Optional[str] = None, capture=False, env=None,
             stdout=None) -> str:
        return CHILDREN.run(self.psql_cmd(db, *sql, args=args), input=input, capture=capture, env=env,
                            stdout=stdout, what=f"psql ({self.name}/{db})")

    def query(self, db: str, sql: str, sep: str = "|") -> str:
        """One statement's rows, unaligned, tuples only."""
        return self.psql(db, sql, args=("-At", "-F", sep), capture=True)

    def idle_children(self) -> int:
        return len(children_of(self.pm))


# ------------------------------------------------------------------------------------- one run's figures
@dataclasses.dataclass
class Run:
    seconds: float                      # the timed figure (for pg_clone: ended - started)
    wall: Optional[float] = None        # pg_clone: clone() .. clone_wait()
    vmhwm_kb: int = 0                   # pg_clone worker: peak VmHWM, RssAnon, its CPU
    rssanon_kb: int = 0
    worker_cpu: Optional[float] = None
    two_phase: Optional[bool] = None    # pg_clone: bucardo.clone.two_phase (committed with 2PC)
    sessions_per_target: Optional[int] = None   # pg_clone: peak of sessions in one target database
    cpu: Optional[tuple] = None         # CPU seconds: source cluster, target cluster, clients
    kinds: Optional[dict] = None        # the target cluster's CPU seconds by process kind (KindSampler)
    wal: Optional[dict] = None          # the target cluster's WAL and checkpoints during the run
    vacuum: Optional[tuple] = None      # VACUUM of the target tables right after: seconds, target CPU-s

    def to_json(self) -> dict:
        d = {"seconds": self.seconds}
        if self.cpu:
            d["cpu_seconds"] = {"source": round(self.cpu[0], 2), "target": round(self.cpu[1], 2),
                                "client": round(self.cpu[2], 2)}
        if self.kinds:
            d["target_cpu_seconds_by_kind"] = {k: round(v, 2) for k, v in sorted(self.kinds.items())}
        if self.wal:
            d["target_wal"] = self.wal
        if self.vacuum:
            d["vacuum_after"] = {"seconds": self.vacuum[0], "target_cpu_seconds": round(self.vacuum[1], 2)}
        if self.wall is not None:
            d.update(wall=self.wall, two_phase=self.two_phase, sessions_per_target=self.sessions_per_target,
                     worker={"cpu_seconds": self.worker_cpu, "vmhwm_kb": self.vmhwm_kb,
                             "rssanon_kb": self.rssanon_kb})
        return d


@dataclasses.dataclass
class Measured:
    """A contestant's runs; the best is the first of the lowest."""
    runs: list
    ratios: dict = dataclasses.field(default_factory=dict)   # its notes' ratios to other contestants

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda r: r.seconds)

    @property
    def max_hwm(self) -> int:
        return max(r.vmhwm_kb for r in self.runs)

    @property
    def max_anon(self) -> int:
        return max(r.rssanon_kb for r in self.runs)


@dataclasses.dataclass
class Row:
    """A line of the output table."""
    label: str
    seconds: Optional[float]
    rows: Optional[int]
    cpu: Optional[tuple]
    note: str


def ratio(a: Optional[float], b: Optional[float]) -> Optional[str]:
    """a / b as printed ("%.2f"), None unless both are there."""
    if a is None or not b:
        return None
    return f"{a / b:.2f}"


# ------------------------------------------------------------------------------------------ contestants
@dataclasses.dataclass
class Contestant:
    key: str                                 # its ONLY key
    label: str                               # its line in the table
    dataset: str                             # big or small
    command: Callable[[], Run]               # one run: the targets are emptied before, checked after
    dbs: tuple = ("tgt1",)                   # the target databases it writes
    baseline: bool = False                   # the data set's baseline: the ratio column divides by it
    note: Callable[[Measured], str] = lambda m: ""
    id: str = ""                             # how other contestants' notes find it (default: key)
    progress: str = ""                       # its label in the progress lines (default: label)
    two_phase: Optional[str] = None          # pg_clone.two_phase while it runs, restored after
    gucs: dict = dataclasses.field(default_factory=dict)   # target cluster settings while it runs
    refill: bool = False                     # its targets hold the source's rows before each run (not timed)
    vacuum_after: bool = False               # a VACUUM of its target tables is timed right after each run
    tool: Optional[str] = None               # an external program it needs
    wall_row: Optional[str] = None           # also a line of the best run's wall time, with this label
    timed_once: bool = False                 # one run, not measured (no emptying, check nor CPU)
    skipped: Optional[str] = None            # why it does not run (a line says so)


class Bench:
    def __init__(self, s: Settings):
        self.s = s
        self.work = ""
        self.src: Optional[Cluster] = None
        self.tgt: Optional[Cluster] = None
        self.results = {}          # contestant id -> Measured
        self.entries = []          # (Contestant, Measured or None) in the order run, for the JSON
        self.rows = {"big": [], "small": []}
        self.sampler_stop: Optional[threading.Event] = None
        self.sampler_thread: Optional[threading.Thread] = None
        self.settings_generation = 0
        self.pgcopydb_splits = []

    # ----------------------------------------------------------------------------------------- data
    def define_data(self):
        s = self.s
        weights = [8, 2] if s.dataset == "shapes" else [3, 2, 2, 2, 1]   # tenths of the total
        self.big = [f"big_{i + 1}" for i in range(len(weights))]
        self.big_n = [s.big_rows * w // 10 for w in weights]
        self.big_total = sum(self.big_n)
        self.small = [f"small_{i:03d}" for i in range(1, s.small_tables + 1)]
        self.small_total = s.small_tables * s.small_rows
        self.big_list = ",".join(self.big)
        self.small_list = ",".join(self.small)
        # Two lanes of about the same number of rows (largest first; equal sizes: last table first).
        self.lanes = ([], [])
        lane_rows = [0, 0]
        for i in sorted(range(len(self.big)), key=lambda j: (self.big_n[j], j), reverse=True):
            lane = 0 if lane_rows[0] <= lane_rows[1] else 1
            self.lanes[lane].append(self.big[i])
            lane_rows[lane] += self.big_n[i]

    def big_ddl(self, i: int) -> str:
        if self.s.dataset == "shapes":
            return NARROW_DDL if i == 0 else WIDE_DDL
        return COLUMNS_DDL

    def big_fill_sql(self, i: int) -> str:
        table, rows = self.big[i], self.big_n[i]
        if self.s.dataset == "shapes" and i == 0:
            return f"""INSERT INTO {table} SELECT g, (g * 7919) % 1000003, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 2 = 0 END
              FROM generate_series(1::int8, {rows}) g"""
        if self.s.dataset == "shapes":
            return f"""INSERT INTO {table} SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 31) / 1000.0 END,
                CASE WHEN g % 13 = 0 THEN NULL
                     ELSE jsonb_build_object('id', g, 'tags', jsonb_build_array('a' || g % 10, 'b' || g % 7),
                                             'score', g / 3.0, 'ok', g % 2 = 0) END,
                CASE WHEN g % 17 = 0 THEN NULL ELSE decode(md5(g::text) || md5((g * 3)::text), 'hex') END,
                md5(g::text)::uuid,
                CASE WHEN g % 19 = 0 THEN NULL ELSE timestamptz '2024-01-01 00:00+00' + g * interval '1.5 second' END,
                CASE WHEN g % 23 = 0 THEN NULL ELSE 'name ' || g || ' ' || repeat('x', (g % 40)::int) END
              FROM generate_series(1::int8, {rows}) g"""
        return fill_sql(table, rows)

    @staticmethod
    def counts_sql(tables: list) -> str:
        """Row counts, "table count" per line, sorted."""
        return " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables) + " ORDER BY 1"

    # ---------------------------------------------------------------------------------------- setup
    def make_clusters(self):
        s = self.s
        self.work = tempfile.mkdtemp(prefix="pg_clone_bench.", dir="/tmp")
        os.chmod(self.work, 0o755)
        if is_root():
            pw = pwd.getpwnam("postgres")
            os.chown(self.work, pw.pw_uid, pw.pw_gid)
        # Where clients connect: the socket directory, or the loopback address.
        self.host = "127.0.0.1" if s.transport == "tcp" else self.work
        listen = "127.0.0.1" if s.transport == "tcp" else ""
        self.src = Cluster("src", s.src_port, self.work, self.host, s.pg_bin, listen)
        self.tgt = Cluster("tgt", s.tgt_port, self.work, self.host, s.pg_bin, listen)
        print(f"== two clusters in {self.work} (source :{s.src_port}, targets :{s.tgt_port}, "
              "pg_clone in the target cluster)")
        self.src.initdb()
        self.src.start()
        self.tgt.initdb("shared_preload_libraries = 'pg_clone'\n"
                        "pg_clone.database = 'postgres'\n"
                        "max_prepared_transactions = 20\n"
                        f"pg_clone.two_phase = {s.two_phase}\n"
                        f"pg_clone.copy_freeze = {s.copy_freeze}\n"
                        f"{s.target_conf}\n"
                        # What a contestant sets for its runs (Bench.target_settings), last so that it wins.
                        f"include_if_exists = '{SETTINGS_FILE}'")
        self.tgt.start()

    def make_data(self):
        src, tgt = self.src, self.tgt
        print(f"== transport: {self.s.transport}; big data set: {self.s.dataset}")
        print(f"== data: big = {len(self.big)} tables, {self.big_total} rows (SCALE={self.s.scale}); "
              f"small = {self.s.small_tables} tables of {self.s.small_rows} rows")
        t0 = time.monotonic()
        src.psql("postgres", "CREATE DATABASE srcbig", "CREATE DATABASE srcsmall")
        for db in ("tgt1", "tgt2", "tgt3"):
            tgt.psql("postgres", f"CREATE DATABASE {db}")
        # The big source tables are filled without their primary key (faster), in two lanes, then indexed.
        for i, table in enumerate(self.big):
            src.psql("srcbig", f"CREATE TABLE {table} ({self.big_ddl(i).replace(' PRIMARY KEY', '', 1)})")

        def lane_fill(*indexes):
            for i in indexes:
                src.psql("srcbig", self.big_fill_sql(i), f"ALTER TABLE {self.big[i]} ADD PRIMARY KEY (id)")

        if self.s.dataset == "shapes":
            parallel(lambda: lane_fill(0), lambda: lane_fill(1))
        else:
            parallel(lambda: lane_fill(0, 3), lambda: lane_fill(1, 2, 4))
        src.psql("srcsmall", input="".join(f"CREATE TABLE {t} ({COLUMNS_DDL}); {fill_sql(t, self.s.small_rows)};\n"
                                           for t in self.small))
        for db in ("srcbig", "srcsmall"):
            src.psql(db, "VACUUM (FREEZE, ANALYZE)")
        src.psql("postgres", "CHECKPOINT")
        for db in ("tgt1", "tgt2", "tgt3"):
            for i, table in enumerate(self.big):
                tgt.psql(db, f"CREATE TABLE {table} ({self.big_ddl(i)})")
            tgt.psql(db, input="".join(f"CREATE TABLE {t} ({COLUMNS_DDL});\n" for t in self.small))
        heap, index = src.query("srcbig", r"""SELECT round(sum(pg_table_size(oid)) / 1048576.0),
                                                    round(sum(pg_indexes_size(oid)) / 1048576.0)
                                             FROM pg_class WHERE relname LIKE 'big\_%' AND relkind = 'r'""").split("|")
        self.big_heap_mb, self.big_index_mb = heap, index
        sizes = dict(line.split("|") for line in src.query("srcbig", r"""SELECT relname, pg_table_size(oid)
                     FROM pg_class WHERE relname LIKE 'big\_%' AND relkind = 'r'""").splitlines())
        self.big_bytes = [int(sizes[t]) for t in self.big]
        # The seeding line splits the table of the most rows (and any at least half its size) across
        # streams; pgcopydb's split line cuts it in 4 parts (bigger ones in more).
        largest = self.big_bytes[max(range(len(self.big)), key=lambda i: self.big_n[i])]
        self.split_min_kb = max(1, largest // 2 // 1024)
        self.pgcopydb_split_kb = largest // 4 // 1024 + 1
        self.split_known = tgt.query("postgres", "SELECT current_setting('pg_clone.split_min_size', true) "
                                                 "IS NOT NULL") == "t"
        print(f"   generated in {time.monotonic() - t0:.3f} s; big: {heap} MB of heap + {index} MB of primary keys")

        tgt.psql("postgres", "CREATE EXTENSION pg_clone")
        t = f"host={self.host} port={tgt.port} user=postgres"
        s = f"host={self.host} port={src.port} user=postgres"
        tgt.psql("postgres", f"""SELECT bucardo.add_db('srcbig', '{s} dbname=srcbig'),
                        bucardo.add_db('srcsmall', '{s} dbname=srcsmall'),
                        bucardo.add_db('tgt1', '{t} dbname=tgt1'), bucardo.add_db('tgt2', '{t} dbname=tgt2'),
                        bucardo.add_db('tgt3', '{t} dbname=tgt3')""", stdout=subprocess.DEVNULL)
        src.psql("srcbig", f"CREATE PUBLICATION bench_pub FOR TABLE {self.big_list}")
        # What every target must hold afterwards (the first count also warms the caches).
        self.counts = {"big": self.counts_sql(self.big), "small": self.counts_sql(self.small)}
        self.expected = {"big": src.query("srcbig", self.counts["big"], sep=" "),
                         "small": src.query("srcsmall", self.counts["small"], sep=" ")}

    def start_launcher(self):
        self.launcher_pid = child_with_title(self.tgt.pm, "pg_clone launcher")
        if not self.launcher_pid:
            die("no pg_clone launcher in the target cluster")
        # Wake the launcher once now (it would otherwise see the new extension only after
        # pg_clone.naptime), so that it is in its steady state during every contestant.
        self.tgt.psql("postgres", "NOTIFY bucardo_clone_ready")
        time.sleep(1)
        self.src_idle = self.src.idle_children()
        self.tgt_idle = self.tgt.idle_children()

    def warm_up(self):
        # Not timed: one pass of every big table through the target cluster, so that the WAL segments
        # exist (min_wal_size keeps them recycled) and no contestant pays for creating them first.
        print("== warm-up (not timed): one 2-lane pipe pass into tgt1, tgt2 and tgt3")
        for db in ("tgt1", "tgt2", "tgt3"):
            parallel(*(lambda lane=lane: self.pipe_tables("srcbig", db, lane) for lane in self.lanes))

    # ---------------------------------------------------------------------------- around each run
    def check_counts(self, label: str, dataset: str, dbs):
        for db in dbs:
            got = self.tgt.query(db, self.counts[dataset], sep=" ")
            if got != self.expected[dataset]:
                print(f"bench: {label}: wrong row counts in {db}:", file=sys.stderr)
                diff = difflib.unified_diff(self.expected[dataset].splitlines(), got.splitlines(), "expected",
                                            db, lineterm="")
                for line in list(diff)[:10]:
                    print(line, file=sys.stderr)
                die(f"{label}: wrong row counts in {db}")

    def empty_targets(self, dataset: str, dbs):
        """Empties the targets (not timed), vacuums them (with autovacuum off, the catalog rows every
        run's TRUNCATE leaves dead would slow the next run's catalog lookups), and checkpoints so that no
        run pays for the previous one's writes."""
        tables = self.big_list if dataset == "big" else self.small_list
        for db in dbs:
            self.tgt.psql(db, f"TRUNCATE {tables}", "VACUUM")
        self.tgt.psql("postgres", "VACUUM")
        self.tgt.psql("postgres", "CHECKPOINT")
        self.src.psql("postgres", "CHECKPOINT")

    def settle(self):
        """Waits (10 s at most) until both postmasters are back to their idle number of children: the
        backends of the last run have exited and their CPU time is in the postmasters' cutime."""
        for _ in range(100):
            if self.src.idle_children() <= self.src_idle and self.tgt.idle_children() <= self.tgt_idle:
                return
            time.sleep(0.1)

    def cpu_mark(self) -> tuple:
        return child_ticks(self.src.pm), child_ticks(self.tgt.pm), client_cpu()

    def cpu_since(self, mark: tuple) -> tuple:
        """CPU seconds of the source cluster, the target cluster and this script's children since mark."""
        return ((child_ticks(self.src.pm) - mark[0]) / CLK_TCK, (child_ticks(self.tgt.pm) - mark[1]) / CLK_TCK,
                client_cpu() - mark[2])

    @contextlib.contextmanager
    def target_settings(self, gucs: dict):
        """The settings in the target cluster for the block (the included file SETTINGS_FILE, reloaded),
        then back to postgresql.conf's. A file rather than ALTER SYSTEM: a pg_clone.* setting that this
        pg_clone does not know is a warning in the server log there, not an error."""
        if not gucs:
            yield
            return
        self.write_settings(gucs)
        try:
            yield
        finally:
            if self.tgt.running():
                self.write_settings({})

    def write_settings(self, gucs: dict):
        self.settings_generation += 1
        with open(os.path.join(self.tgt.datadir, SETTINGS_FILE), "w") as f:
            for name, value in gucs.items():
                f.write(f"{name} = '{value}'\n")
            f.write(f"bench.generation = '{self.settings_generation}'\n")
        self.tgt.psql("postgres", "SELECT pg_reload_conf()", stdout=subprocess.DEVNULL)
        # A new session is forked from the postmaster: once it shows the file's marker, the next worker
        # has the file's settings too.
        for _ in range(100):
            if self.tgt.query("postgres", "SELECT current_setting('bench.generation', true)") == \
                    str(self.settings_generation):
                for name, value in gucs.items():
                    shown = self.tgt.query("postgres", f"SELECT current_setting('{name}', true)")
                    if shown and name == "pg_clone.two_phase" and shown != value:
                        die(f"{name} is {shown}, not {value}")
                return
            time.sleep(0.1)
        die(f"the target cluster did not reload {SETTINGS_FILE}")

    # ------------------------------------------------------------------------------ WAL, VACUUM
    def wal_mark(self) -> list:
        return self.tgt.query("postgres", """SELECT pg_current_wal_lsn(), w.wal_records, w.wal_fpi, w.wal_bytes,
                                                    w.wal_buffers_full, w.wal_write, w.wal_sync,
                                                    b.checkpoints_timed + b.checkpoints_req, b.buffers_backend
                                             FROM pg_stat_wal w, pg_stat_bgwriter b""").split("|")

    def wal_since(self, mark: list) -> dict:
        now = self.wal_mark()

        def lsn(text: str) -> int:
            hi, lo = text.split("/")
            return (int(hi, 16) << 32) + int(lo, 16)

        d = [int(now[i]) - int(mark[i]) for i in range(1, len(now))]
        return {"lsn_bytes": lsn(now[0]) - lsn(mark[0]), "records": d[0], "fpi": d[1], "bytes": d[2],
                "buffers_full": d[3], "write": d[4], "sync": d[5], "checkpoints": d[6], "buffers_backend": d[7]}

    def timed_vacuum(self, dbs) -> tuple:
        """VACUUM of the big tables in every target database, one after the other: seconds and the target
        cluster's CPU seconds."""
        mark = child_ticks(self.tgt.pm)
        t0 = time.monotonic()
        for db in dbs:
            self.tgt.psql(db, f"VACUUM {self.big_list}")
        seconds = round(time.monotonic() - t0, 3)
        self.settle()
        return seconds, (child_ticks(self.tgt.pm) - mark) / CLK_TCK

    def fill_targets(self, dbs):
        """The targets get the source's rows (not timed: two raw pipes each), are vacuumed (all-visible,
        as a table that has lived a while), and checkpointed."""
        for db in dbs:
            self.tgt.psql(db, f"TRUNCATE {self.big_list}")
            parallel(*(lambda lane=lane: self.pipe_tables("srcbig", db, lane) for lane in self.lanes))
            self.tgt.psql(db, "VACUUM")
        self.tgt.psql("postgres", "VACUUM")
        self.tgt.psql("postgres", "CHECKPOINT")
        self.src.psql("postgres", "CHECKPOINT")

    # --------------------------------------------------------------------------- pg_clone's worker
    def start_sampler(self):
        """Samples the pg_clone worker's memory and CPU every 0.1 s while a clone runs: the process whose
        title is "pg_clone worker for clone N" (backend_type 'pg_clone worker'), a child of the
        postmaster; and the peak number of sessions connected to one target database."""
        self.sample = {"hwm": 0, "anon": 0, "ticks": 0, "found": False, "sessions": 0}
        self.sampler_stop = threading.Event()
        self.sampler_thread = threading.Thread(target=self.sample_worker, daemon=True)
        self.sampler_thread.start()

    def sample_worker(self):
        sample, pid = self.sample, None
        while not self.sampler_stop.is_set():
            if pid is None or not os.path.exists(f"/proc/{pid}/status"):
                pid = child_with_title(self.tgt.pm, "pg_clone worker for clone")
            if pid:
                with contextlib.suppress(OSError, ValueError, IndexError):
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            key, _, rest = line.partition(":")
                            if key == "VmHWM":
                                sample["hwm"] = max(sample["hwm"], int(rest.split()[0]))
                            elif key == "RssAnon":
                                sample["anon"] = max(sample["anon"], int(rest.split()[0]))
                f = proc_stat(pid)
                if f:
                    sample["ticks"] = int(f[11]) + int(f[12])
                sample["found"] = True
                per_db = {}
                for child in children_of(self.tgt.pm):
                    m = re.match(r"postgres: \S+ (tgt\d+) ", proc_args(child))
                    if m:
                        per_db[m.group(1)] = per_db.get(m.group(1), 0) + 1
                sample["sessions"] = max([sample["sessions"], *per_db.values()])
            self.sampler_stop.wait(0.1)

    def stop_sampler(self) -> dict:
        if self.sampler_stop:
            self.sampler_stop.set()
            self.sampler_thread.join(timeout=5)
            self.sampler_stop = None
        return self.sample

    # ------------------------------------------------------------------------------- the commands
    def pipe_one(self, srcdb: str, tgtdb: str, table: str):
        reader = CHILDREN.popen(self.src.psql_cmd(srcdb, f"COPY {table} TO STDOUT (FORMAT binary)"),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        try:
            writer = CHILDREN.popen(self.tgt.psql_cmd(tgtdb, f"COPY {table} FROM STDIN (FORMAT binary)"),
                                    stdin=reader.stdout)
        finally:
            reader.stdout.close()
        CHILDREN.wait(writer, f"psql COPY {table} FROM STDIN ({tgtdb})")
        CHILDREN.wait(reader, f"psql COPY {table} TO STDOUT ({srcdb})")

    def pipe_tables(self, srcdb: str, tgtdb: str, tables: list):
        for table in tables:
            self.pipe_one(srcdb, tgtdb, table)

    @staticmethod
    def timed(fn: Callable[[], None]) -> Run:
        t0 = time.monotonic()
        fn()
        return Run(seconds=round(time.monotonic() - t0, 3))

    def run_pipe1(self) -> Run:
        return self.timed(lambda: self.pipe_tables("srcbig", "tgt1", self.big))

    def run_pipe2(self) -> Run:
        return self.timed(lambda: parallel(*(lambda lane=lane: self.pipe_tables("srcbig", "tgt1", lane)
                                             for lane in self.lanes)))

    def run_pipe3(self) -> Run:
        """One lane per target database, side by side: the source is read three times."""
        return self.timed(lambda: parallel(*(lambda db=db: self.pipe_tables("srcbig", db, self.big)
                                             for db in ("tgt1", "tgt2", "tgt3"))))

    def run_clone(self, tables: str, dbs: str, streams: Optional[str] = None) -> Run:
        streams_arg = f", streams => {streams}" if streams else ""
        self.start_sampler()
        try:
            t0 = time.monotonic()
            clone_id = self.tgt.query("postgres", f"SELECT bucardo.clone(tables => '{tables}', dbs => '{dbs}'"
                                                  f"{streams_arg}{self.s.clone_args})")
            status = self.tgt.query("postgres", f"SELECT bucardo.clone_wait({clone_id}, '3600 s')")
            wall = round(time.monotonic() - t0, 3)
        finally:
            sample = self.stop_sampler()
        if status != "done":
            self.tgt.psql("postgres", f"SELECT id, status, error FROM bucardo.clone WHERE id = {clone_id}",
                          args=("-x",), stdout=sys.stderr)
            print_tail(self.tgt.logfile, 20)
            die(f"pg_clone clone {clone_id} ended '{status}'")
        server, two_phase = self.tgt.query(
            "postgres", "SELECT round(extract(epoch FROM ended - started), 3), to_jsonb(c) ->> 'two_phase' "
                        f"FROM bucardo.clone c WHERE id = {clone_id}").split("|")
        return Run(seconds=float(server), wall=wall, vmhwm_kb=sample["hwm"], rssanon_kb=sample["anon"],
                   worker_cpu=round(sample["ticks"] / CLK_TCK, 1),
                   two_phase={"true": True, "false": False}.get(two_phase),
                   sessions_per_target=sample["sessions"] or None)

    def run_clone_off(self, tables: str, dbs: str) -> Run:
        run = self.run_clone(tables, dbs)
        if run.two_phase:
            die("a clone with pg_clone.two_phase = off committed with two-phase commit")
        return run

    def uri(self, port: int, db: str) -> str:
        host = "127.0.0.1" if self.s.transport == "tcp" else self.work.replace("/", "%2F")
        return f"postgres://postgres@{host}:{port}/{db}"

    def run_pgcopydb(self, split: bool = False) -> Run:
        directory = os.path.join(self.work, "pgcopydb")
        shutil.rmtree(directory, ignore_errors=True)
        log = os.path.join(self.work, "pgcopydb.log")
        extra = ["--split-tables-larger-than", f"{self.pgcopydb_split_kb}kB"] if split else []
        t0 = time.monotonic()
        with open(log, "w") as out:
            proc = CHILDREN.popen(["pgcopydb", "copy", "table-data", "--dir", directory, "--table-jobs", "2",
                                   *extra, "--source", self.uri(self.src.port, "srcbig"),
                                   "--target", self.uri(self.tgt.port, "tgt1")],
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
            try:
                CHILDREN.wait(proc, "pgcopydb")
            except BenchError:
                print_tail(log, 20)
                raise
        seconds = round(time.monotonic() - t0, 3)
        if split:
            with open(log, errors="replace") as f:
                self.pgcopydb_splits = re.findall(r'Table "[^"]*"\."([^"]*)" is .*?, (\d+) COPY processes will be used',
                                                  f.read())
        return Run(seconds=seconds)

    def run_logrep(self) -> Run:
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
        n = len(self.big)
        t0 = time.monotonic()
        self.tgt.psql("tgt1", f"""CREATE SUBSCRIPTION bench_sub
                   CONNECTION 'host={self.host} port={self.src.port} dbname=srcbig user=postgres'
                   PUBLICATION bench_pub WITH (copy_data = true)""", env=env)
        deadline = t0 + 3600
        while self.tgt.query("tgt1", "SELECT count(*) FILTER (WHERE srsubstate = 'r') || '/' || count(*) "
                                     "FROM pg_subscription_rel") != f"{n}/{n}":
            if time.monotonic() > deadline:
                die("logical replication's initial copy did not end within an hour")
            time.sleep(0.1)
        seconds = round(time.monotonic() - t0, 3)
        self.tgt.psql("tgt1", "DROP SUBSCRIPTION bench_sub", env=env)
        return Run(seconds=seconds)

    def pg_dump_cmd(self) -> list:
        return [f"{self.s.pg_bin}/pg_dump", "-U", "postgres", "-h", self.host, "-p", str(self.src.port),
                "--data-only", "-t", "public.small_*", "srcsmall"]

    def run_dump(self, truncate: bool = False, analyze: bool = False) -> Run:
        """pg_dump --data-only | psql; truncate: the session also empties the tables, in one
        transaction, as pg_clone does; analyze: and analyzes them before its COMMIT, as pg_clone does by
        default (the same end state)."""
        t0 = time.monotonic()
        read_end, write_end = os.pipe()
        try:
            psql = CHILDREN.popen(self.tgt.psql_cmd("tgt1"), stdin=read_end, stdout=subprocess.DEVNULL)
        finally:
            os.close(read_end)
        try:
            if truncate:
                os.write(write_end, f"BEGIN; TRUNCATE {self.small_list};\n".encode())
            dump = CHILDREN.popen(self.pg_dump_cmd(), stdin=subprocess.DEVNULL, stdout=write_end)
            CHILDREN.wait(dump, "pg_dump")
            if analyze:
                # pg_dump's script empties search_path: the names are qualified.
                qualified = ", ".join(f"public.{t}" for t in self.small)
                os.write(write_end, f"ANALYZE {qualified};\n".encode())
            if truncate:
                os.write(write_end, b"COMMIT;\n")
        finally:
            os.close(write_end)
        CHILDREN.wait(psql, "psql (tgt1)")
        return Run(seconds=round(time.monotonic() - t0, 3))

    def run_truncate(self) -> Run:
        self.tgt.psql("postgres", "CHECKPOINT")
        return self.timed(lambda: self.tgt.psql("tgt1", f"TRUNCATE {self.small_list}"))

    def run_small_pipes(self) -> Run:
        return self.timed(lambda: self.pipe_tables("srcsmall", "tgt1", self.small))

    # -------------------------------------------------------------------------------- the table
    def contestants(self) -> list:
        """Every contestant, in the order run and shown."""
        big, small, s = self.big_list, self.small_list, self.s
        three = ("tgt1", "tgt2", "tgt3")
        to1, to3 = "srcbig:source,tgt1:target", "srcbig:source,tgt1:target,tgt2:target,tgt3:target"
        streams = [None, *s.streams]            # None: the server's pg_clone.max_streams
        off_skipped = ("skipped: TWO_PHASE=off, the lines above are already without two-phase commit"
                       if s.two_phase == "off" else None)
        C = Contestant
        return [
            C("pipe1", "raw binary pipe, 1 lane", "big", self.run_pipe1),
            C("pipe2", "raw binary pipes, 2 lanes", "big", self.run_pipe2, baseline=True,
              note=lambda m: "baseline"),
            *(C("clone1", clone_label(1, n), "big", lambda n=n: self.run_clone(big, to1, n), id=f"clone1:{n}",
                note=lambda m: f"worker {m.best.worker_cpu:.1f} s CPU; wall {m.best.wall:.3f} s")
              for n in streams),
            C("clone1off", "pg_clone, 1 target, two-phase off", "big", lambda: self.run_clone_off(big, to1),
              two_phase="off", skipped=off_skipped,
              note=lambda m: self.join_notes(self.ratio_note(m, "clone1:None", "two-phase"),
                                             sessions_note(m), f"worker {m.best.worker_cpu:.1f} s CPU",
                                             f"wall {m.best.wall:.3f} s")),
            *(C("clone3", clone_label(3, n), "big", lambda n=n: self.run_clone(big, to3, n), dbs=three,
                id=f"clone3:{n}",
                note=lambda m, n=n: self.join_notes(self.ratio_note(m, f"clone1:{n}", "one target"),
                                                    f"worker {m.best.worker_cpu:.1f} s CPU"))
              for n in streams),
            C("clone3off", "pg_clone, 3 targets, two-phase off", "big", lambda: self.run_clone_off(big, to3),
              dbs=three, two_phase="off", skipped=off_skipped,
              note=lambda m: self.join_notes(self.ratio_note(m, "clone1off", "one target"),
                                             self.ratio_note(m, "clone3:None", "two-phase"), sessions_note(m),
                                             f"worker {m.best.worker_cpu:.1f} s CPU")),
            C("pipe3", "raw binary pipes, 1 lane per target, x3", "big", self.run_pipe3, dbs=three,
              note=lambda m: self.join_notes(self.ratio_note(m, "pipe1", "one lane"),
                                             "3 targets; source read 3 times")),
            *(C("seed", clone_label(1, n).replace("pg_clone, 1 target", "pg_clone, 1 target, seeding"), "big",
                lambda n=n: self.run_clone(big, to1, n), id=f"seed:{n}",
                gucs={"pg_clone.split_min_size": f"{self.split_min_kb}kB"},
                note=lambda m, n=n: self.join_notes(
                    self.ratio_note(m, f"clone1:{n}", "clone1"),
                    f"split_min_size {self.split_min_kb} kB" + ("" if self.split_known else
                                                                 " (unknown to this pg_clone: no split)"),
                    f"worker {m.best.worker_cpu:.1f} s CPU"))
              for n in streams),
            C("refresh", "pg_clone, 1 target, refresh (rows there)", "big", lambda: self.run_clone(big, to1),
              refill=True, vacuum_after=True,
              note=lambda m: self.join_notes(self.vacuum_note(m), f"worker {m.best.worker_cpu:.1f} s CPU")),
            C("nofreeze", "pg_clone, 1 target, refresh, FREEZE off", "big", lambda: self.run_clone(big, to1),
              refill=True, vacuum_after=True, gucs={"pg_clone.copy_freeze": "off"},
              note=lambda m: self.join_notes(self.ratio_note(m, "refresh", "FREEZE"), self.vacuum_note(m),
                                             f"worker {m.best.worker_cpu:.1f} s CPU")),
            C("pgcopydb", "pgcopydb copy table-data (--table-jobs 2)", "big", self.run_pgcopydb,
              progress="pgcopydb copy table-data, 2 jobs", tool="pgcopydb",
              note=lambda m: f"version {pgcopydb_version()}; text COPY + VACUUM ANALYZE"),
            C("pgcopydbsplit", "pgcopydb, --split-tables-larger-than", "big", lambda: self.run_pgcopydb(True),
              progress="pgcopydb copy table-data, split", tool="pgcopydb",
              note=lambda m: self.join_notes(self.ratio_note(m, "pgcopydb", "unsplit"),
                                             f"{self.pgcopydb_split_kb} kB: "
                                             + (", ".join(f"{t} in {n}" for t, n in sorted(self.pgcopydb_splits))
                                                if self.pgcopydb_splits else "nothing split"))),
            C("logrep", "logical replication initial copy", "big", self.run_logrep,
              note=lambda m: "2 sync workers, text COPY"),
            C("dump", "pg_dump --data-only | psql (one session)", "small", self.run_dump, baseline=True,
              progress="pg_dump --data-only | psql", note=lambda m: "baseline"),
            C("dumpt", "pg_dump | psql, BEGIN; TRUNCATE; ...; COMMIT", "small", lambda: self.run_dump(True),
              progress="pg_dump | psql, with TRUNCATE", note=lambda m: "empties the tables itself, like pg_clone"),
            C("dumpta", "pg_dump | psql, BEGIN; TRUNCATE; ...; ANALYZE; COMMIT", "small",
              lambda: self.run_dump(True, True), progress="pg_dump | psql, with TRUNCATE and ANALYZE",
              note=lambda m: "the same end state as pg_clone's (statistics gathered)"),
            C("sclone", f"TRUNCATE of the {s.small_tables} tables, one statement", "small", self.run_truncate,
              id="truncate", timed_once=True,
              note=lambda m: "psql included; pg_clone's time includes this, the others' do not"),
            C("sclone", "pg_clone, 1 target (ended-started)", "small",
              lambda: self.run_clone(small, "srcsmall:source,tgt1:target"), progress="pg_clone, 1 target",
              wall_row="pg_clone, 1 target (wall, clone..clone_wait)",
              note=lambda m: f"worker {m.best.worker_cpu:.1f} s CPU"),
            C("spipes", "raw binary pipe per table (2 psql each)", "small", self.run_small_pipes,
              progress="raw binary pipe per table"),
        ]

    @staticmethod
    def vacuum_note(m: Measured) -> str:
        v = m.best.vacuum
        return f"VACUUM after: {v[0]:.2f} s, {v[1]:.1f} CPU-s" if v else ""

    def ratio_note(self, m: Measured, other_id: str, what: str) -> str:
        """"1.23x what" where other_id ran: this contestant's best over the other's."""
        other = self.results.get(other_id)
        r = ratio(m.best.seconds, other.best.seconds) if other else None
        if r is None:
            return ""
        m.ratios[what] = float(r)
        return f"{r}x {what}"

    @staticmethod
    def join_notes(*parts: str) -> str:
        return "; ".join(p for p in parts if p)

    def measure(self, c: Contestant) -> Measured:
        """Runs a contestant REPEAT times, emptying and checking the targets around each run."""
        if c.timed_once:
            run = c.command()
            return Measured([run])
        runs = []
        for r in range(1, self.s.repeat + 1):
            if c.refill:
                self.fill_targets(c.dbs)
            else:
                self.empty_targets(c.dataset, c.dbs)
            wal = self.wal_mark()
            self.settle()
            mark = self.cpu_mark()
            kinds = KindSampler(self.tgt.pm)
            run = c.command()
            self.settle()
            run.cpu = self.cpu_since(mark)
            run.kinds = kinds.stop()
            # Processes that came and went between two samples (psql's sessions of a pipe, say).
            run.kinds["unsampled"] = max(0.0, run.cpu[1] - sum(run.kinds.values()))
            run.wal = self.wal_since(wal)
            if c.vacuum_after:
                run.vacuum = self.timed_vacuum(c.dbs)
            self.check_counts(c.progress or c.label, c.dataset, c.dbs)
            print(f"   {c.progress or c.label:<44} run {r}: {run.seconds:.3f} s"
                  + (f"; then VACUUM {run.vacuum[0]:.3f} s" if run.vacuum else ""))
            runs.append(run)
        return Measured(runs)

    def run_contestants(self, pgcopydb_available: bool):
        header = {"big": f"== big: {len(self.big)} tables, {self.big_total} rows; lanes: {' '.join(self.lanes[0])} "
                         f"| {' '.join(self.lanes[1])}; REPEAT={self.s.repeat}",
                  "small": f"== small: {self.s.small_tables} tables of {self.s.small_rows} rows"}
        dataset = None
        for c in self.contestants():
            if c.dataset != dataset:
                dataset = c.dataset
                print(header[dataset])
            if c.key not in self.s.only:
                continue
            if c.tool == "pgcopydb" and not pgcopydb_available:
                c.skipped = "skipped: not installed, or PGCOPYDB=0"
            if c.skipped:
                self.rows[c.dataset].append(Row(c.tool or c.label, None, None, None, c.skipped))
                self.entries.append((c, None))
                continue
            gucs = dict(c.gucs)
            if c.two_phase:
                gucs["pg_clone.two_phase"] = c.two_phase
            with self.target_settings(gucs):
                m = self.measure(c)
            self.results[c.id or c.key] = m
            self.entries.append((c, m))
            rows = None if c.timed_once else (self.big_total if c.dataset == "big" else self.small_total)
            best = m.best
            self.rows[c.dataset].append(Row(c.label, best.seconds, rows, best.cpu, c.note(m)))
            if c.wall_row:
                self.rows[c.dataset].append(Row(c.wall_row, best.wall, rows, None, ""))

    # ---------------------------------------------------------------------------------- report
    def baseline_seconds(self, dataset: str) -> Optional[float]:
        for c, m in self.entries:
            if m and c.baseline and c.dataset == dataset:
                return m.best.seconds
        return None

    def clone_memory(self, targets: int) -> tuple:
        """The worker's peak VmHWM over the big clones into 1 (or 3) targets, and the RssAnon peak of
        the contestant with that VmHWM."""
        hwm = anon = 0
        for c, m in self.entries:
            if m and c.key in (f"clone{targets}", f"clone{targets}off") and m.max_hwm > hwm:
                hwm, anon = m.max_hwm, m.max_anon
        return hwm, anon

    def report(self) -> dict:
        s, tgt = self.s, self.tgt
        # The launcher's CPU while no clone runs (what it takes from every contestant on the target side).
        l0 = proc_ticks(self.launcher_pid)
        time.sleep(3)
        launcher_idle = f"{100 * (proc_ticks(self.launcher_pid) - l0) / CLK_TCK / 3:.0f}"
        try:
            max_streams = tgt.query("postgres", "SHOW pg_clone.max_streams")
        except BenchError:
            max_streams = "-"
        print()
        print(f"== results (best of {s.repeat}; ratio = seconds / baseline's seconds: below 1 is faster "
              "than the baseline)")
        print(f"   {len(os.sched_getaffinity(0))} cores, {mem_total_gb():.0f} GB RAM; {postgres_version(s.pg_bin)}")
        print(f"   transport: {s.transport}; big data set: {s.dataset}; pg_clone.max_streams: {max_streams}; "
              f"pg_clone.two_phase: {s.two_phase}")
        base_big, base_small = self.baseline_seconds("big"), self.baseline_seconds("small")
        print_table(f"big: {len(self.big)} tables, {self.big_total} rows, {self.big_heap_mb} MB heap + "
                    f"{self.big_index_mb} MB primary keys (baseline: 2 lanes)", base_big, self.rows["big"])
        print_kinds(f"big, target cluster: CPU seconds by what its processes did (best run; from their titles "
                    "every 0.1 s), and its WAL", [(c, m) for c, m in self.entries if m and c.dataset == "big"])
        print_table(f"small: {s.small_tables} tables x {s.small_rows} rows (baseline: pg_dump | psql)", base_small,
                    self.rows["small"])
        print()
        print(f"pg_clone launcher while no clone runs: {launcher_idle}% of one core (taken from every contestant "
              "on the target side)")
        clones_wanted = any(k in s.only for k in ("clone1", "clone3", "clone1off", "clone3off"))
        (h1, a1), (h3, a3) = self.clone_memory(1), self.clone_memory(3)
        if clones_wanted:
            print(f"pg_clone worker memory, peak over the big clones: 1 target VmHWM {h1 / 1024:.1f} MB (RssAnon "
                  f"peak {a1 / 1024:.1f} MB); 3 targets VmHWM {h3 / 1024:.1f} MB (RssAnon peak {a3 / 1024:.1f} MB)")
        print()
        print("Speed targets (met / MISSED; a miss never fails the bench):")
        goals = []

        def goal(text: str, value: Optional[str], shown: str, limit: float, closing: str = ""):
            if value is None:
                return
            verdict = "met" if float(value) < limit else "MISSED"
            print(f"{text}{shown:<7} {verdict}{closing}")
            goals.append({"goal": text.strip(" (:"), "value": float(value), "verdict": verdict})

        def best(cid):
            m = self.results.get(cid)
            return m.best.seconds if m else None

        # The design's targets, as ratios in this run.
        if s.dataset == "shapes":
            seeding = [x for x in (best("clone1:None"), best("seed:None")) if x is not None]
            seeding_best = min(seeding) if seeding else None
            r = ratio(seeding_best, base_big)
            goal("  one dominant table: a seeding clone vs 2 binary pipes (<= 0.60): ", r, r or "", 0.605)
            r = ratio(seeding_best, best("pgcopydbsplit"))
            goal("    and vs pgcopydb --split-tables-larger-than (<= 0.77, 1.3x faster): ", r, r or "", 0.775)
        else:
            r = ratio(best("clone1:None"), base_big)
            goal("  big: 1 target vs 2 binary pipes (<= 0.70):                        ", r, r or "", 0.705)
        r = ratio(best("clone3:None"), best("pipe3"))
        goal("  fan-out: 3 targets vs 3 independent pipes (<= 0.75):              ", r, r or "", 0.755)
        r = ratio(best("sclone"), best("dumpta"))
        goal("  small tables vs pg_dump | psql, the same end state (<= 0.80):     ", r, r or "", 0.805)
        r = ratio(best("sclone"), base_small)
        goal("    (vs pg_dump --data-only | psql alone, no TRUNCATE nor ANALYZE:   ", r, r or "", 0.805, ")")
        if clones_wanted:
            m = f"{max(h1, h3) / 1024:.0f}"
            goal("  worker memory (peak VmHWM < 64 MB):                               ", m, f"{m} MB", 64)
        return {"launcher_idle_percent": float(launcher_idle), "max_streams": max_streams,
                "worker_memory_peak_kb": {"1 target": {"vmhwm": h1, "rssanon": a1},
                                          "3 targets": {"vmhwm": h3, "rssanon": a3}},
                "design_targets": goals, "baselines": {"big": base_big, "small": base_small}}

    def json_document(self, summary: dict, started: str) -> dict:
        s = self.s
        contestants = []
        for c, m in self.entries:
            base = summary["baselines"][c.dataset]
            entry = {"key": c.key, "label": c.label, "dataset": c.dataset, "is_baseline": c.baseline,
                     "target_databases": list(c.dbs)}
            if c.two_phase:
                entry["pg_clone.two_phase"] = c.two_phase
            if m is None:
                entry["skipped"] = c.skipped
            else:
                best = m.best
                r = ratio(best.seconds, base)
                entry.update(times=[run.seconds for run in m.runs], best=best.seconds,
                             ratio=float(r) if r is not None else None, other_ratios=m.ratios, note=next((row.note for row in self.rows[c.dataset]
                                                               if row.label == c.label), ""),
                             cpu_seconds_best=best.to_json().get("cpu_seconds"),
                             runs=[run.to_json() for run in m.runs])
                if best.wall is not None:
                    entry["worker_memory_kb"] = {"vmhwm_peak": m.max_hwm, "rssanon_peak": m.max_anon}
                    entry["wall_best"] = best.wall
            contestants.append(entry)
        return {
            "started": started,
            "settings": {"SCALE": s.scale, "REPEAT": s.repeat, "SMALL_TABLES": s.small_tables,
                         "SMALL_ROWS": s.small_rows, "ONLY": s.only, "STREAMS": s.streams,
                         "TWO_PHASE": s.two_phase, "COPY_FREEZE": s.copy_freeze, "TARGET_CONF": s.target_conf, "CLONE_ARGS": s.clone_args, "TRANSPORT": s.transport,
                         "DATASET": s.dataset, "PGCOPYDB": s.pgcopydb, "LOGREP": s.logrep, "PG_BIN": s.pg_bin},
            "machine": {"cores": len(os.sched_getaffinity(0)), "ram_gb": round(mem_total_gb(), 1),
                        "postgres": postgres_version(s.pg_bin)},
            "data": {"big": {"tables": self.big, "rows": self.big_n, "total_rows": self.big_total,
                             "heap_mb": float(self.big_heap_mb), "primary_keys_mb": float(self.big_index_mb),
                             "lanes": [list(lane) for lane in self.lanes]},
                     "small": {"tables": len(self.small), "rows_each": s.small_rows, "total_rows": self.small_total}},
            "pg_clone": {"max_streams": summary["max_streams"], "two_phase": s.two_phase},
            "ratio_is": "best seconds / the data set's baseline's best seconds (below 1 is faster)",
            "contestants": contestants,
            "launcher_idle_percent_of_one_core": summary["launcher_idle_percent"],
            "worker_memory_peak_kb": summary["worker_memory_peak_kb"],
            "design_targets": summary["design_targets"],
        }

    # ------------------------------------------------------------------------------------- cleanup
    def cleanup(self):
        if self.sampler_stop:
            self.stop_sampler()
        CHILDREN.kill_all()
        for cluster in (self.tgt, self.src):
            if cluster:
                cluster.stop()
        if self.work:
            if self.s.keep:
                print(f"bench: scratch dir kept: {self.work}", file=sys.stderr)
            else:
                shutil.rmtree(self.work, ignore_errors=True)


def fill_sql(table: str, rows: int) -> str:
    """Rows of mixed types, about 180 bytes each on disk."""
    return f"""INSERT INTO {table} SELECT g, (g * 7919) % 100003, 'item-' || g, ((g * 31) % 10000000) / 100.0,
            timestamptz '2024-01-01 00:00+00' + g * interval '1 second',
            CASE WHEN g % 50 = 0 THEN NULL ELSE md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) END
          FROM generate_series(1::int8, {rows}) g"""


def clone_label(targets: int, streams: Optional[str]) -> str:
    what = "1 target" if targets == 1 else f"{targets} targets"
    return f"pg_clone, {what} (default streams)" if streams is None else f"pg_clone, {what}, {streams} streams"


def sessions_note(m: Measured) -> str:
    n = m.best.sessions_per_target
    return f"{n} session{'s' if n != 1 else ''} per target" if n else ""


def print_tail(path: str, lines: int):
    with contextlib.suppress(OSError):
        with open(path, errors="replace") as f:
            for line in f.readlines()[-lines:]:
                sys.stderr.write(line)


def pgcopydb_version() -> str:
    try:
        out = subprocess.run(["pgcopydb", "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    for line in out.splitlines():
        if line.startswith("pgcopydb version"):
            return line.split()[2]
    return ""


def postgres_version(pg_bin: str) -> str:
    return subprocess.run([f"{pg_bin}/postgres", "--version"], capture_output=True, text=True).stdout.strip()


def mem_total_gb() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1048576
    return 0.0


def print_table(title: str, base: Optional[float], rows: list):
    if not rows:
        return
    print()
    print(title)
    fmt = "%-46s %8s %6s %9s  %-15s %s"
    print(fmt % ("contestant", "seconds", "ratio", "rows/s", "cpu src/tgt/cli", "note"))
    for row in rows:
        if row.seconds is None:
            print(fmt % (row.label, "-", "-", "-", "-", row.note))
            continue
        rate = f"{row.rows / row.seconds:.0f}" if row.rows and row.seconds else "-"
        cpu = "/".join(f"{x:.1f}" for x in row.cpu) if row.cpu else ""
        print("%-46s %8.2f %6s %9s  %-15s %s" % (row.label, row.seconds, ratio(row.seconds, base) or "-", rate,
                                                 cpu, row.note))


# The columns of print_kinds: process kinds (process_kind) summed; whatever no column names goes to "rest".
KIND_COLUMNS = [("COPY", ("COPY",)), ("REINDEX", ("REINDEX",)), ("par.wkrs", ("parallel worker",)),
                ("ANALYZE", ("ANALYZE",)),
                ("PREP/COMMIT", ("PREPARE", "COMMIT")), ("idle", ("idle", "backend")), ("worker", ("worker",)),
                ("walwriter", ("walwriter",)), ("ckpt+bgw", ("checkpointer", "background writer"))]


def print_kinds(title: str, entries: list):
    entries = [(c, m) for c, m in entries if m.best.kinds]
    if not entries:
        return
    print()
    print(title)
    named = {k for _, kinds in KIND_COLUMNS for k in kinds}
    head = ["total", *(name for name, _ in KIND_COLUMNS), "other SQL", "rest", "WAL MB", "records", "FPI"]
    print("%-46s " % "contestant" + " ".join("%9s" % h for h in head))
    for c, m in entries:
        best = m.best
        k = best.kinds
        cells = [best.cpu[1], *(sum(k.get(x, 0.0) for x in kinds) for _, kinds in KIND_COLUMNS),
                 sum(v for x, v in k.items() if x not in named and x.isupper()),
                 sum(v for x, v in k.items() if x not in named and not x.isupper())]
        wal = best.wal or {}
        print("%-46s " % c.label + " ".join("%9.2f" % v for v in cells) +
              " %9.0f %9s %9s" % (wal.get("lsn_bytes", 0) / 1048576, f"{wal.get('records', 0) // 1000}k",
                                  wal.get("fpi", "")))


# ---------------------------------------------------------------------------------------------- main
def pgcopydb_available(s: Settings) -> bool:
    if not s.pgcopydb or "pgcopydb" not in s.only:
        return False
    if not shutil.which("pgcopydb") and is_root():
        print("== installing pgcopydb (apt-get install -y pgcopydb)")
        result = subprocess.run(["apt-get", "install", "-y", "-q", "pgcopydb"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if result.returncode != 0:
            print("   could not install pgcopydb: it is skipped")
    return shutil.which("pgcopydb") is not None


def check_installation(s: Settings):
    if not os.access(f"{s.pg_bin}/postgres", os.X_OK):
        die(f"PostgreSQL 15 is not installed ({s.pg_bin})")
    pkglibdir = subprocess.run([f"{s.pg_bin}/pg_config", "--pkglibdir"], capture_output=True,
                               text=True).stdout.strip()
    if not os.path.isfile(f"{pkglibdir}/pg_clone.so"):
        die(f"pg_clone is not installed in {pkglibdir}: run 'make && sudo make install' in {REPO_DIR} first "
            "(with PG_CONFIG=.../pg_config for another PostgreSQL)")


def on_sigterm(signum, frame):
    raise SystemExit(143)


def main() -> int:
    parser = argparse.ArgumentParser(description="pg_clone benchmark; settings come from the environment.",
                                     epilog=__doc__.split("\n\n", 3)[3], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    signal.signal(signal.SIGTERM, on_sigterm)
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    bench = None
    rc = 0
    try:
        s = settings_from_env(os.environ)
        check_installation(s)
        has_pgcopydb = pgcopydb_available(s)
        bench = Bench(s)
        bench.define_data()
        bench.make_clusters()
        bench.make_data()
        bench.start_launcher()
        bench.warm_up()
        bench.run_contestants(has_pgcopydb)
        summary = bench.report()
        if args.json:
            with open(args.json, "w") as f:
                json.dump(bench.json_document(summary, started), f, indent=2)
                f.write("\n")
            print(f"\nresults written to {args.json}")
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        rc = 1
    except KeyboardInterrupt:
        rc = 130
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception:  # noqa: BLE001 - a bug of the bench: shown, and the servers still stopped
        traceback.print_exc()
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # a second Ctrl-C must not stop the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if bench:
            bench.cleanup()
        else:
            CHILDREN.kill_all()
    if rc != 0:
        print(f"bench: FAILED (exit {rc})", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
