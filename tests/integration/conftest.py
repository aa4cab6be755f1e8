"""Fixtures for integration tests: a real contractd in a temp directory.

The binaries come from $CONTRACTD_BUILDDIR (default: the source tree), so
the same tests run against the normal and the sanitizer build.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

SRCDIR = os.environ.get(
    "CONTRACTD_SRCDIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILDDIR = os.environ.get("CONTRACTD_BUILDDIR", SRCDIR)
CONTRACTD = os.path.join(BUILDDIR, "daemon", "contractd")
CONTRACTCTL = os.path.join(BUILDDIR, "ctl", "contractctl")
PLUGIN_DIR = os.path.join(BUILDDIR, "plugins", ".libs")
HOLIDAYS = os.path.join(SRCDIR, "etc", "holidays.txt")
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
# CONTRACTD_WRAPPER runs the daemon under a tool, e.g. valgrind; waits are
# then longer and tests marked "timing" are skipped.
WRAPPER = os.environ.get("CONTRACTD_WRAPPER", "").split()
SLOW = 4 if WRAPPER else 1


def pytest_configure(config):
    config.addinivalue_line("markers", "timing: measures latency or "
                            "load; skipped under CONTRACTD_WRAPPER")


def pytest_collection_modifyitems(config, items):
    if not WRAPPER:
        return
    skip = pytest.mark.skip(reason="timing test: not under a wrapper")
    for item in items:
        if "timing" in item.keywords:
            item.add_marker(skip)

BASE_CONFIG = """\
[daemon]
database = {dir}/contractd.db
socket = {dir}/control.sock
socket_mode = {socket_mode}
plugin_dir = {plugin_dir}
holidays = {holidays}
timezone = Europe/London
alert_time = 09:00
{daemon_extra}
[alerts]
{alerts_extra}
[notifier log]
plugin = log
kinds = *
{extra}
"""


def wait_for(pred, timeout=10.0, step=0.05):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Daemon:
    """One contractd process with its own config, database and socket."""

    def __init__(self, workdir):
        self.dir = workdir
        self.conf = os.path.join(workdir, "contractd.conf")
        self.sock = os.path.join(workdir, "control.sock")
        self.db = os.path.join(workdir, "contractd.db")
        self.logpath = os.path.join(workdir, "contractd.log")
        self.proc = None
        self.faketime = None
        self.faketime_file = None

    def write_config(self, extra="", daemon_extra="", alerts_extra="",
                     socket_mode="0660"):
        with open(self.conf, "w") as f:
            f.write(BASE_CONFIG.format(
                dir=self.dir, plugin_dir=PLUGIN_DIR, holidays=HOLIDAYS,
                extra=extra, daemon_extra=daemon_extra,
                alerts_extra=alerts_extra, socket_mode=socket_mode))

    def env(self):
        env = dict(os.environ)
        env["TZ"] = "Europe/London"
        if self.faketime:
            # Under ASan the preloaded libfaketime comes before libasan.
            opts = env.get("ASAN_OPTIONS", "")
            env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + \
                "verify_asan_link_order=0"
            env["LD_PRELOAD"] = FAKETIME_LIB
            if self.faketime_file:
                # Read at every call: the test moves the clock by
                # rewriting the file.
                env["FAKETIME_TIMESTAMP_FILE"] = self.faketime_file
                env["FAKETIME_NO_CACHE"] = "1"
            else:
                env["FAKETIME"] = self.faketime
            env["FAKETIME_DONT_RESET"] = "1"
            env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        return env

    def start(self, faketime=None, wait=True, faketime_file=None):
        """faketime: a libfaketime spec such as "@2025-04-30 08:59:55";
        faketime_file: a file holding one, which can change while the
        daemon runs."""
        if not os.path.exists(self.conf):
            self.write_config()
        self.faketime = faketime or faketime_file
        self.faketime_file = faketime_file
        self.log = open(self.logpath, "a")
        self.proc = subprocess.Popen(
            WRAPPER + [CONTRACTD, "-f", "-d", "-c", self.conf],
            stdout=self.log, stderr=self.log, env=self.env())
        if wait:
            ok = wait_for(lambda: self.proc.poll() is not None or
                          self.ping_ok(), timeout=20)
            assert self.proc.poll() is None, self.logtext()
            assert ok, "daemon did not answer:\n" + self.logtext()
        return self

    def ping_ok(self):
        try:
            return self.request({"v": 1, "cmd": "ping"}, timeout=1)["ok"]
        except (OSError, ValueError, KeyError):
            return False

    def stop(self, sig=signal.SIGTERM, timeout=20 * SLOW):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.log.close()
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def logtext(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def wait_log(self, needle, timeout=10, count=1):
        return wait_for(lambda: self.logtext().count(needle) >= count,
                        timeout)

    def ctl(self, *args, user=None, input=None, check=False):
        cmd = [CONTRACTCTL, "-s", self.sock] + [str(a) for a in args]
        if user is not None:
            ctl = os.path.join(self.dir, "contractctl")
            if not os.path.exists(ctl):
                shutil.copy(CONTRACTCTL, ctl)
            cmd = ["setpriv", "--reuid", str(user), "--regid", str(user),
                   "--clear-groups", ctl, "-s", self.sock] + \
                [str(a) for a in args]
        r = subprocess.run(cmd, capture_output=True, text=True,
                           input=input, timeout=120)
        if check:
            assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
        return r

    def ctl_json(self, *args):
        r = self.ctl("--json", *args)
        assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
        return json.loads(r.stdout)

    def connect(self, timeout=5):
        for _ in range(100):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock)    # blocking: waits out a full backlog
                break
            except BlockingIOError:
                s.close()
                time.sleep(0.05)
        s.settimeout(timeout)
        return s

    def request(self, obj, timeout=5):
        s = self.connect(timeout)
        try:
            line = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
            if isinstance(line, str):
                line = line.encode()
            s.sendall(line + b"\n")
            return json.loads(readline(s))
        finally:
            s.close()


def readline(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="contractd-it-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def daemon(workdir):
    d = Daemon(workdir)
    yield d
    if d.proc is not None:
        rc = d.stop()
        assert rc == 0, "contractd exited %r:\n%s" % (rc, d.logtext())
