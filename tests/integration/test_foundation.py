"""The foundation: daemon start/stop, config check, control socket limits,
authorization, reload, plugin loading."""
import json
import os
import signal
import socket
import sqlite3
import re
import subprocess
import time

import pytest

from conftest import CONTRACTD, SRCDIR, Daemon, readline, wait_for
from test_engine import import_answer

NOBODY = 65534


def test_ping_and_status(daemon):
    daemon.start()
    r = daemon.ctl("ping")
    assert r.returncode == 0 and r.stdout == "pong\n"
    st = daemon.ctl_json("status")
    assert st["pid"] == daemon.proc.pid
    assert st["database"] == daemon.db
    assert st["contracts"] == 0
    assert st["plugins"] == ["log"]
    assert st["channels"] == [{"name": "log", "plugin": "log",
                               "disabled": False}]
    assert st["version"]
    assert st["uptime"] >= 0
    human = daemon.ctl("status")
    assert human.returncode == 0
    assert "contracts  0" in human.stdout
    assert "log (log)" in human.stdout


def test_protocol_errors(daemon):
    daemon.start()
    r = daemon.request(b"{this is not json")
    assert r["v"] == 1 and r["ok"] is False
    assert r["error"]["code"] == "bad_request"
    r = daemon.request({"v": 1, "cmd": "frobnicate"})
    assert r["error"] == {"code": "unknown_command",
                          "message": "unknown command: frobnicate"}
    r = daemon.request({"v": 7, "cmd": "ping"})
    assert r["error"]["code"] == "bad_request"
    # Several requests on one connection, answered in order.
    s = daemon.connect()
    s.sendall(b'{"v":1,"cmd":"ping"}\n{"v":1,"cmd":"nope"}\n')
    buf = b""
    while buf.count(b"\n") < 2:
        buf += s.recv(4096)
    a, b = [json.loads(x) for x in buf.splitlines()]
    assert a == {"v": 1, "ok": True, "result": {"pong": True}}
    assert b["error"]["code"] == "unknown_command"
    s.close()


def test_too_large_line_closes_only_that_client(daemon):
    daemon.start()
    other = daemon.connect()
    big = daemon.connect()
    try:
        big.sendall(b'{"v":1,"cmd":"ping","x":"' + b"a" * (1 << 20))
    except (BrokenPipeError, ConnectionResetError):
        pass
    resp = json.loads(readline(big).splitlines()[0])
    assert resp["ok"] is False and resp["error"]["code"] == "too_large"
    # The connection is then closed by the daemon.
    big.settimeout(5)
    rest = b""
    try:
        while True:
            chunk = big.recv(65536)
            if not chunk:
                break
            rest += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    assert b'"ok":true' not in rest
    other.sendall(b'{"v":1,"cmd":"ping"}\n')
    assert json.loads(readline(other))["ok"] is True
    assert daemon.ctl("ping").returncode == 0
    other.close()
    big.close()


@pytest.mark.timing
def test_idle_connections_do_not_lock_out_clients(daemon):
    daemon.start()
    idle = [daemon.connect() for _ in range(200)]
    try:
        t0 = time.monotonic()
        r = daemon.ctl("status")
        assert r.returncode == 0, r.stderr
        assert time.monotonic() - t0 < 30
    finally:
        for s in idle:
            s.close()
    assert daemon.ctl("ping").returncode == 0


@pytest.mark.timing
def test_idle_timeout_closes_connection(workdir):
    d = Daemon(workdir)
    d.write_config(daemon_extra="idle_timeout = 1")
    d.start()
    try:
        s = d.connect(timeout=10)
        t0 = time.monotonic()
        assert s.recv(10) == b""
        assert time.monotonic() - t0 < 8
        s.close()
    finally:
        assert d.stop() == 0


def big_csv(workdir, n):
    """n contracts that take the daemon seconds to import."""
    path = os.path.join(workdir, "big.csv")
    with open(path, "w") as f:
        f.write("ref,title,start_date,end_date,services\n")
        for i in range(n):
            f.write("BIG-%06d,Contract %d,2030-01-01,2031-%02d-%02d,"
                    "residential:LD;nursing:LD\n"
                    % (i, i, 1 + i % 12, 1 + i % 28))
    return path


def notify_socket(workdir, timeout):
    """A NOTIFY_SOCKET for the daemon: the socket and its path."""
    path = os.path.join(workdir, "notify")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(timeout)
    return ns, path


@pytest.mark.timing
def test_answer_to_a_command_longer_than_idle_timeout(workdir):
    # An import that takes longer than idle_timeout still gets its answer:
    # the timeouts count from the answer, not from the request.
    d = Daemon(workdir)
    d.write_config(daemon_extra="idle_timeout = 1")
    d.start()
    n = 150000
    path = big_csv(workdir, n)
    try:
        t0 = time.monotonic()
        r = d.ctl("--json", "import", path)
        took = time.monotonic() - t0
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout) == import_answer(n, 0)
        assert "%d contracts imported" % n in d.logtext()
        if took < 1.5:
            pytest.skip("the import took %.1f s: too fast to tell" % took)
    finally:
        assert d.stop() == 0


def test_read_only_peer_is_forbidden_to_change(workdir):
    d = Daemon(workdir)
    d.write_config(socket_mode="0666")
    d.start()
    try:
        r = d.ctl("--json", "status", user=NOBODY)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["admin"] is False
        r = d.ctl("reload", user=NOBODY)
        assert r.returncode == 1
        assert "forbidden" in r.stderr
        r = d.ctl("--json", "reload", user=NOBODY)
        err = json.loads(r.stdout)["error"]
        assert err["code"] == "forbidden"
        # root may reload, and the change is audited with uid and name.
        assert d.ctl("reload").returncode == 0
        db = sqlite3.connect(d.db)
        rows = db.execute("SELECT uid, user, cmd, result FROM audit").fetchall()
        db.close()
        assert rows == [(0, "root", "reload", '{"ok":true}')]
    finally:
        assert d.stop() == 0


def test_sighup_with_broken_config_keeps_old(daemon):
    daemon.write_config(daemon_extra="working_days_only = yes\n")
    daemon.start()
    good = open(daemon.conf).read()
    with open(daemon.conf, "a") as f:
        f.write("[bogus]\nkey = 1\n")
    daemon.proc.send_signal(signal.SIGHUP)
    assert daemon.wait_log("reload failed")
    assert "unknown section [bogus]" in daemon.logtext()
    assert daemon.ctl("ping").returncode == 0
    r = daemon.ctl("reload")
    assert r.returncode == 1 and "unknown section [bogus]" in r.stderr
    # Repaired, with a second channel: the reload applies it.
    with open(daemon.conf, "w") as f:
        f.write(good + "[notifier second]\nplugin = log\nkinds = expired\n")
    daemon.proc.send_signal(signal.SIGHUP)
    assert daemon.wait_log("configuration reloaded")
    names = [c["name"] for c in daemon.ctl_json("status")["channels"]]
    assert names == ["log", "second"]


def test_sigterm_exits_zero_and_removes_socket(daemon):
    daemon.start()
    assert os.path.exists(daemon.sock)
    assert daemon.stop() == 0
    assert not os.path.exists(daemon.sock)
    assert daemon.ctl("ping").returncode == 3


def test_sigint_exits_zero(daemon):
    daemon.start()
    assert daemon.stop(signal.SIGINT) == 0
    assert not os.path.exists(daemon.sock)


def second_daemon(d, old, new):
    """Starts a daemon on a copy of d's config with old replaced by new;
    it is expected to refuse: its exit and output."""
    other = os.path.join(d.dir, "other.conf")
    with open(d.conf) as f:
        text = f.read()
    with open(other, "w") as f:
        f.write(text.replace(old, new))
    return subprocess.run([CONTRACTD, "-f", "-c", other],
                          capture_output=True, text=True, timeout=20)


def test_stale_socket_replaced_live_one_kept(workdir):
    d = Daemon(workdir)
    d.write_config()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(d.sock)
    stale.close()          # a socket file nobody answers on
    d.start()
    try:
        # Another database, the same socket: the live daemon keeps it.
        second = second_daemon(d, "contractd.db", "other.db")
        assert second.returncode == 1
        assert "already answering" in second.stderr
        assert d.ctl("ping").returncode == 0
    finally:
        assert d.stop() == 0


def test_one_daemon_per_database(workdir):
    """A second daemon on the same database, even on another socket,
    refuses to start and names the first one's pid: two would fire
    every alert twice."""
    d = Daemon(workdir)
    d.write_config()
    d.start()
    try:
        second = second_daemon(d, "control.sock", "other.sock")
        assert second.returncode == 1
        assert ("%s: in use by another contractd (pid %d)"
                % (d.db, d.proc.pid)) in second.stderr, second.stderr
        assert not os.path.exists(os.path.join(workdir, "other.sock"))
        assert d.ctl("ping").returncode == 0
    finally:
        assert d.stop() == 0
    # Once it stopped, the database is free again.
    d.start()
    assert d.stop() == 0


def test_stopping_leaves_a_newer_daemons_socket(workdir):
    """A daemon stopping removes its socket file only if it is still
    the one it made: another daemon may have put its own there."""
    a = Daemon(workdir)
    a.write_config()
    a.start()
    bdir = os.path.join(workdir, "b")
    os.mkdir(bdir)
    b = Daemon(bdir)
    b.write_config()
    with open(b.conf) as f:
        text = f.read()
    with open(b.conf, "w") as f:
        f.write(text.replace(b.sock, a.sock))
    b.sock = a.sock
    try:
        os.unlink(a.sock)   # as a careless admin might
        b.start()
        assert a.stop() == 0
        assert os.path.exists(a.sock)
        assert b.ctl("ping").returncode == 0
    finally:
        a.stop()
        assert b.stop() == 0
    assert not os.path.exists(a.sock)


def test_socket_path_that_is_not_a_socket_is_left_alone(workdir):
    d = Daemon(workdir)
    d.write_config()
    with open(d.sock, "w") as f:
        f.write("precious\n")
    r = subprocess.run([CONTRACTD, "-f", "-c", d.conf], capture_output=True,
                       text=True, timeout=20)
    assert r.returncode == 1
    assert "exists and is not a socket" in r.stderr
    assert open(d.sock).read() == "precious\n"


def test_config_check_reports_every_error(workdir):
    conf = os.path.join(workdir, "bad.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\n"
                "timezone = Europe/Atlantis\n"
                "alert_time = 25:00\n"
                "\n"
                "[alerts]\n"
                "term_end = 30,-7\n")
    r = subprocess.run([CONTRACTD, "-t", "-c", conf], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        conf + ":2: timezone: unknown time zone (not in the tz database): "
        "Europe/Atlantis",
        conf + ":3: alert_time: not a time of day HH:MM: 25:00",
        conf + ":6: term_end: not a list of days from 0 to 3650: 30,-7",
    ]


def test_config_check_ok(daemon):
    daemon.write_config()
    r = subprocess.run([CONTRACTD, "-t", "-c", daemon.conf],
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "configuration OK\n")


def test_plugin_key_errors_have_lines(daemon):
    daemon.write_config(extra="[notifier x]\nplugin = log\nbogus = 1\n"
                        "[notifier y]\nplugin = nosuchplugin\n")
    r = subprocess.run([CONTRACTD, "-t", "-c", daemon.conf],
                       capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 2
    bogus_line = open(daemon.conf).read().splitlines().index("bogus = 1") + 1
    assert lines[0] == ("%s:%d: [notifier x] unknown key 'bogus' (the log "
                        "notifier takes none)" % (daemon.conf, bogus_line))
    assert "[notifier y] plugin nosuchplugin: cannot load" in lines[1]


def test_plugin_with_other_abi_is_refused(workdir):
    src = os.path.join(workdir, "old.c")
    pdir = os.path.join(workdir, "plugins")
    os.mkdir(pdir)
    with open(src, "w") as f:
        f.write('#include "notifier.h"\n'
                "static int i(const struct notifier_host *h, const struct "
                "notifier_config *c, void **p) { (void)h; (void)c; *p = 0; "
                "return 0; }\n"
                "static int s(void *p, struct notifier_delivery *d) "
                "{ (void)p; (void)d; return 0; }\n"
                "static void f(void *p) { (void)p; }\n"
                "const struct notifier_plugin contractd_notifier = "
                "{ .abi = 99, .size = sizeof(struct notifier_plugin), "
                ".name = \"old\", .init = i, .send = s, .fini = f };\n")
    flags = subprocess.run(["pkg-config", "--cflags", "jansson"],
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-shared", "-fPIC", "-I",
                    os.path.join(SRCDIR, "plugins")] + flags + ["-o",
                    os.path.join(pdir, "old.so"), src], check=True)
    conf = os.path.join(workdir, "c.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nplugin_dir = %s\n[notifier legacy]\n"
                "plugin = old\n" % pdir)
    r = subprocess.run([CONTRACTD, "-t", "-c", conf], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert r.stderr == ("%s:3: [notifier legacy] plugin 'old' (%s/old.so) "
                        "uses notifier ABI 99; this contractd needs ABI 2: "
                        "rebuild it against this contractd's notifier.h\n"
                        % (conf, pdir))


def test_contractctl_exit_codes(daemon, workdir):
    r = daemon.ctl("ping")
    assert r.returncode == 3 and "cannot reach contractd" in r.stderr
    daemon.start()
    r = daemon.ctl("no-such-subcommand")
    assert r.returncode == 2 and "usage" in r.stderr
    r = daemon.ctl("ping", "extra")
    assert r.returncode == 2


def test_version():
    r = subprocess.run([CONTRACTD, "-V"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("contractd ")


def test_systemd_notify_and_socket_activation(workdir):
    """Type=notify: READY=1 on the notify socket; a socket passed by
    systemd (LISTEN_FDS) is used instead of binding one, and not removed."""
    import shutil
    activate = shutil.which("systemd-socket-activate")
    assert activate, "systemd-socket-activate (package systemd) is needed"
    d = Daemon(workdir)
    d.write_config()
    ns, notify_path = notify_socket(workdir, 20)
    env = d.env()
    env["NOTIFY_SOCKET"] = notify_path
    log = open(d.logpath, "a")
    proc = subprocess.Popen([activate, "-E", "NOTIFY_SOCKET", "-E", "TZ",
                             "-l", d.sock, CONTRACTD, "-f", "-c",
                             d.conf], stdout=log, stderr=log, env=env)
    try:
        # systemd-socket-activate accepts nothing itself: it execs the
        # daemon on the first connection.
        assert wait_for(lambda: os.path.exists(d.sock))
        r = d.ctl("ping")
        assert r.returncode == 0, (r.stderr, d.logtext())
        msg = ns.recv(4096).decode()
        assert "READY=1" in msg
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert "STOPPING=1" in ns.recv(4096).decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        ns.close()
        log.close()


@pytest.mark.timing
def test_watchdog_pinged_through_a_long_import(workdir):
    """WatchdogSec: a large import takes longer than the watchdog
    interval.  It is parsed and stored a piece at a time on the loop, so
    the watchdog timer runs between its pieces, and a long step (the
    alerts and the commit) pings from inside SQLite.  The interval is
    2 s: the timer pings every half of it, a busy step every quarter,
    which leaves room for one slow step on a slow disk."""
    import threading
    d = Daemon(workdir)
    d.write_config()
    ns, notify_path = notify_socket(workdir, 0.2)
    env = d.env()
    env["NOTIFY_SOCKET"] = notify_path
    env["WATCHDOG_USEC"] = "2000000"
    pings, done = [], threading.Event()

    def listen():
        while not done.is_set():
            try:
                msg = ns.recv(4096).decode()
            except socket.timeout:
                continue
            if "WATCHDOG=1" in msg:
                pings.append(time.monotonic())

    t = threading.Thread(target=listen)
    t.start()
    path = big_csv(workdir, 300000)
    log = open(d.logpath, "a")
    proc = subprocess.Popen([CONTRACTD, "-f", "-c", d.conf], stdout=log,
                            stderr=log, env=env)
    try:
        assert wait_for(d.ping_ok)
        t0 = time.monotonic()
        r = d.ctl("import", path)
        t1 = time.monotonic()
        assert r.returncode == 0, r.stderr
        during = [p for p in pings if t0 <= p <= t1]
        gaps = [b - a for a, b in zip([t0] + during, during + [t1])]
        # Only pings between the import's pieces can keep the gaps
        # short while it is stored.
        with open(d.logpath) as f:
            text = f.read()
        m = re.search(r"300000 contracts imported by \S+, \d+ alerts fired "
                      r"\(stored in (\d+) ms, the alerts and commit \d+ ms\)",
                      text)
        assert m, text
        if int(m.group(1)) < 3000:
            pytest.skip("stored in %s ms: too fast to tell" % m.group(1))
        assert max(gaps) < 2.0, (gaps, t1 - t0)
    finally:
        done.set()
        t.join()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        ns.close()
        log.close()


def test_emfile_pauses_accept_and_recovers(workdir):
    """Out of file descriptors with no read-only connection to close:
    accept pauses instead of spinning or dying; once clients go, new ones
    are served again.  max_connections is clamped to the descriptor limit
    at start, so the limit is lowered under the running daemon here."""
    import resource
    d = Daemon(workdir)
    d.write_config()
    d.log = open(d.logpath, "a")
    d.proc = subprocess.Popen([CONTRACTD, "-f", "-c", d.conf],
                              stdout=d.log, stderr=d.log, env=d.env())
    try:
        assert wait_for(d.ping_ok)
        resource.prlimit(d.proc.pid, resource.RLIMIT_NOFILE, (40, 40))
        held = [d.connect() for _ in range(60)]
        assert d.wait_log("Too many open files")
        assert d.proc.poll() is None
        time.sleep(2.5)     # pausing a second at a time meanwhile
        for s in held:
            s.close()
        assert wait_for(lambda: d.ctl("ping").returncode == 0, timeout=10)
        assert d.ctl_json("status")["pid"] == d.proc.pid
        # Warned of once, not once a second.
        log = d.logtext()
        assert log.count("pausing a second at a time") == 1, log
    finally:
        assert d.stop() == 0


def test_half_close_still_gets_answers(daemon):
    daemon.start()
    s = daemon.connect()
    s.sendall(b'{"v":1,"cmd":"ping"}\n{"v":1,"cmd":"status"}\n')
    s.shutdown(socket.SHUT_WR)
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    lines = [json.loads(x) for x in buf.splitlines()]
    assert [x["ok"] for x in lines] == [True, True]
    assert lines[1]["result"]["pid"] == daemon.proc.pid


def test_long_non_ascii_argument_gets_its_own_error(daemon):
    daemon.start()
    r = daemon.request({"v": 1, "cmd": "show", "args": {"ref": "é" * 400}})
    assert r["ok"] is False and r["error"]["code"] == "not_found"
    r = daemon.request({"v": 1, "cmd": "ü" * 400})
    assert r["error"]["code"] == "unknown_command"
