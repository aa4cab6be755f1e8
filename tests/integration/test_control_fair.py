"""The control socket is fair: read-only peers are capped per uid, leave
reserved slots to administrators and can never close an administrator's
connection, however many connections they open (DESIGN.md section 11)."""
import json
import os
import resource
import socket
import subprocess
import time

import pytest

from conftest import CONTRACTD, Daemon, readline, wait_for

NOBODY = 65534
OTHER = 65533       # a second read-only uid; it needs no passwd entry
PING = b'{"v":1,"cmd":"ping"}\n'


def ping(s):
    """True if the connection answers a ping, False if the daemon has
    closed it."""
    try:
        s.sendall(PING)
        line = readline(s)
    except OSError:
        return False
    return bool(line) and json.loads(line)["ok"] is True


def become(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


class Holder:
    """A child process of uid that opens n connections one after the
    other, each answered a ping before the next (so the daemon takes them
    in order), and holds them until told to probe or to go."""

    def __init__(self, sock, uid, n):
        self.to_child = os.pipe()
        self.from_child = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                self._child(sock, uid, n)
            finally:
                os._exit(0)
        os.close(self.to_child[0])
        os.close(self.from_child[1])
        self.rd = os.fdopen(self.from_child[0])
        self.wr = os.fdopen(self.to_child[1], "w")
        # Each connection's answer at open: False if refused at once.
        self.opened = self._get()

    def _child(self, sock, uid, n):
        os.close(self.to_child[1])
        os.close(self.from_child[0])
        rd = os.fdopen(self.to_child[0])
        wr = os.fdopen(self.from_child[1], "w")
        become(uid)
        conns, opened = [], []
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(sock)
            conns.append(s)
            opened.append(ping(s))
        wr.write(json.dumps(opened) + "\n")
        wr.flush()
        for cmd in rd:
            if cmd.strip() != "probe":
                break
            wr.write(json.dumps([ping(s) for s in conns]) + "\n")
            wr.flush()

    def _get(self):
        return json.loads(self.rd.readline())

    def probe(self):
        """Which of the connections still answer."""
        self.wr.write("probe\n")
        self.wr.flush()
        return self._get()

    def close(self):
        self.wr.write("go\n")
        self.wr.close()
        self.rd.close()
        os.waitpid(self.pid, 0)


def held_by_root(d, n, request=True):
    conns = [d.connect() for _ in range(n)]
    if request:
        assert [ping(s) for s in conns] == [True] * n
    return conns


@pytest.fixture
def fair(workdir):
    d = Daemon(workdir)
    yield d
    if d.proc is not None:
        assert d.stop() == 0, d.logtext()


def start(d, extra=""):
    d.write_config(socket_mode="0666", daemon_extra=extra)
    d.start()


def test_a_read_only_uid_is_capped_at_16(fair):
    """Past max_connections_per_uid (default 16), a read-only uid's new
    connection closes its own longest idle one."""
    start(fair)
    h = Holder(fair.sock, NOBODY, 20)
    try:
        assert h.opened == [True] * 20
        assert h.probe() == [False] * 4 + [True] * 16
    finally:
        h.close()


def test_the_cap_per_uid_is_configurable(fair):
    start(fair, "max_connections_per_uid = 3")
    h = Holder(fair.sock, NOBODY, 5)
    try:
        assert h.probe() == [False, False, True, True, True]
    finally:
        h.close()


def test_a_newcomer_closes_one_of_the_uid_holding_most(fair):
    """max_connections 8 keeps 4 slots for administrators: read-only
    peers share the other 4, and a new read-only uid takes its place from
    the uid holding most."""
    start(fair, "max_connections = 8")
    a = Holder(fair.sock, NOBODY, 6)
    try:
        assert a.probe() == [False, False, True, True, True, True]
        b = Holder(fair.sock, OTHER, 2)
        try:
            assert b.probe() == [True, True]
            assert a.probe() == [False] * 4 + [True, True]
        finally:
            b.close()
    finally:
        a.close()


def test_read_only_peers_never_close_an_administrator(fair):
    """Administrators take every slot, read-only ones first; a read-only
    peer finding them all taken by administrators is refused, and even
    connections root has not yet sent anything on stay open."""
    start(fair, "max_connections = 8")
    served = held_by_root(fair, 4)
    a = Holder(fair.sock, NOBODY, 4)
    try:
        assert a.opened == [True] * 4       # the 4 slots not reserved
        fresh = held_by_root(fair, 4, request=False)
        b = Holder(fair.sock, NOBODY, 3)
        try:
            assert b.opened == [False] * 3
            # root's four fresh ones closed a's four, oldest first
            assert a.probe() == [False] * 4
        finally:
            b.close()
        assert [ping(s) for s in served + fresh] == [True] * 8
        assert fair.ctl("ping").returncode == 0
    finally:
        a.close()
        for s in served + fresh:
            s.close()


class Flood:
    """A child of uid looping connect() and keeping its newest keep
    sockets, until stopped; it then tells how many connects it made."""

    def __init__(self, sock, uid, keep):
        self.stop_r, self.stop_w = os.pipe()
        self.count_r, self.count_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self.stop_w)
                os.close(self.count_r)
                become(uid)
                n = self._loop(sock, keep)
                os.write(self.count_w, b"%d\n" % n)
            finally:
                os._exit(0)
        os.close(self.stop_r)
        os.close(self.count_w)

    def _loop(self, sock, keep):
        os.set_blocking(self.stop_r, False)
        held, n = [], 0
        while True:
            try:
                if os.read(self.stop_r, 1):
                    return n
            except BlockingIOError:
                pass
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(1)
            try:
                s.connect(sock)
                n += 1
            except OSError:
                s.close()
                continue
            held.append(s)
            if len(held) > keep:
                held.pop(0).close()

    def stop(self):
        """The connects it made."""
        # a byte, not EOF: floods forked later hold this pipe too
        os.write(self.stop_w, b"x")
        os.close(self.stop_w)
        with os.fdopen(self.count_r) as f:
            n = int(f.read() or -1)
        os.waitpid(self.pid, 0)
        return n


@pytest.mark.timing
def test_a_churning_read_only_uid_cannot_lock_out_root(fair):
    """Issue 18's lock-out: four processes of uid 65534 loop connect()
    and keep their newest 100 sockets each, far past max_connections
    (64); root's contractctl ping succeeds 20 times out of 20."""
    start(fair)
    floods = [Flood(fair.sock, NOBODY, 100) for _ in range(4)]
    try:
        time.sleep(1)       # the flood is under way
        results = []
        for _ in range(20):
            r = fair.ctl("ping")
            results.append((r.returncode, r.stdout, r.stderr))
            time.sleep(0.05)
    finally:
        made = [f.stop() for f in floods]
    assert results == [(0, "pong\n", "")] * 20
    assert all(n > 64 for n in made), made
    assert "closing one of uid 65534" in fair.logtext()
    assert "closing one of uid 0" not in fair.logtext()
    assert fair.ctl("ping").returncode == 0


def test_max_connections_clamped_to_the_descriptor_limit(workdir):
    """Started under RLIMIT_NOFILE 100 with max_transfers 16, the daemon
    keeps 48 descriptors for itself and lowers max_connections to 52,
    saying so; 80 connections of root then never run it out of
    descriptors."""
    d = Daemon(workdir)
    d.write_config(socket_mode="0666")
    d.log = open(d.logpath, "a")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100))

    d.proc = subprocess.Popen([CONTRACTD, "-f", "-d", "-c", d.conf],
                              stdout=d.log, stderr=d.log, env=d.env(),
                              preexec_fn=limit)
    try:
        assert wait_for(d.ping_ok)
        assert "max_connections lowered from 64 to 52: the descriptor " \
            "limit is 100, of which 48 are kept" in d.logtext()
        held = []
        for _ in range(80):
            held.append(d.connect())
            assert ping(held[-1])
        assert [ping(s) for s in held] == [False] * 28 + [True] * 52
        for s in held:
            s.close()
        assert d.ctl("ping").returncode == 0
        assert "Too many open files" not in d.logtext()
    finally:
        assert d.stop() == 0


@pytest.mark.timing
def test_out_of_descriptors_a_read_only_connection_makes_room(workdir):
    """With the limit lowered under the running daemon, read-only peers
    filling the descriptors cannot keep accept paused: a read-only
    connection is closed and root is served at once."""
    d = Daemon(workdir)
    d.write_config(socket_mode="0666")
    d.start()
    holders = []
    try:
        resource.prlimit(d.proc.pid, resource.RLIMIT_NOFILE, (40, 40))
        # three uids of 16 each: more read-only connections than fit
        for uid in (NOBODY, OTHER, OTHER - 1):
            holders.append(Holder(d.sock, uid, 16))
        t0 = time.monotonic()
        assert d.ctl("ping").returncode == 0
        took = time.monotonic() - t0
        assert took < 1.0, took
        assert "out of descriptors: closing a connection" in d.logtext()
        assert "pausing a second" not in d.logtext()
    finally:
        for h in holders:
            h.close()
        assert d.stop() == 0
