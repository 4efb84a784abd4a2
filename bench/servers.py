"""Start the app under a real WSGI server for a benchmark, and read its CPU time and memory.

`start(url, kind)` runs one of SERVERS on a free port (the whole process tree: gunicorn's master
and workers) and yields the base URL and the main process id; `cpu_seconds(pid)` and `rss_mib(pid)`
read /proc, so the server's own work is measured, not the clients'.
"""
from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command(kind: str, port: int, app: str = "app:create_app") -> list[str]:
    """The command line of a server kind: waitress with 16 threads (also pinned to CPU 0 with
    taskset), or gunicorn with 4 sync worker processes."""
    waitress = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=16", "--call", app]
    if kind == "waitress":
        return waitress
    if kind == "waitress-1cpu":
        return ["taskset", "-c", "0", *waitress]
    if kind == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "--workers=4", "--worker-class=sync",
                f"--bind=127.0.0.1:{port}", f"{app}()"]  # gunicorn calls the factory itself
    raise ValueError(kind)


#: gunicorn is not a dependency of the app (see README 本番運用): compared only where installed
SERVERS = ("waitress", "waitress-1cpu") + (("gunicorn",) if importlib.util.find_spec("gunicorn") else ())


@contextmanager
def start(url: str, kind: str = "waitress", app: str = "app:create_app"):
    """Yields (base URL, pid) of the server on database `url`; stops it afterwards."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "MAIL_SERVER": ""}
    proc = subprocess.Popen(command(kind, port, app), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited with {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's workers)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process tree so far (/proc/<pid>/stat utime + stime)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def rss_mib(pid: int) -> float:
    """Resident memory of one process (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
