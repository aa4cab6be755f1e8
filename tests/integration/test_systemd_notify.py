"""What the daemon tells systemd on $NOTIFY_SOCKET (Type=notify): READY=1
with a STATUS= that names the contract count, the next alert and the
outbox; a new STATUS= after a change and after deliveries; WATCHDOG=1
when WATCHDOG_USEC asks; RELOADING=1 then READY=1 around SIGHUP;
STOPPING=1.  Also the one startup line, and that no secret reaches the
log at -d."""
import json
import os
import signal
import socket
import subprocess
import time

from conftest import CONTRACTD, WRAPPER, Daemon, wait_for


class Notify:
    """A NOTIFY_SOCKET that collects every datagram."""

    def __init__(self, workdir):
        self.path = os.path.join(workdir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setblocking(False)
        self.got = []

    def drain(self):
        while True:
            try:
                self.got.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                return self.got

    def wait(self, pred, timeout=10):
        return wait_for(lambda: any(pred(m) for m in self.drain()),
                        timeout=timeout)

    def statuses(self):
        return [line[len("STATUS="):] for m in self.drain()
                for line in m.split("\n") if line.startswith("STATUS=")]

    def close(self):
        self.sock.close()


def start(d, notify, extra_env=None):
    env = d.env()
    env["NOTIFY_SOCKET"] = notify.path
    env.update(extra_env or {})
    d.log = open(d.logpath, "a")
    d.proc = subprocess.Popen(WRAPPER + [CONTRACTD, "-f", "-d", "-c", d.conf],
                              stdout=d.log, stderr=d.log, env=env)
    assert wait_for(lambda: d.proc.poll() is not None or d.ping_ok(),
                    timeout=20)
    assert d.proc.poll() is None, d.logtext()


def test_ready_status_watchdog_reload_stopping(workdir):
    d = Daemon(workdir)
    d.write_config()
    n = Notify(workdir)
    try:
        start(d, n, {"WATCHDOG_USEC": "400000"})
        assert n.wait(lambda m: "READY=1" in m)
        ready = [m for m in n.got if m.startswith("READY=1")][0]
        assert ready == ("READY=1\nSTATUS=watching 0 contracts; next "
                         "alert none; outbox 0 pending, 0 dead")
        assert n.wait(lambda m: m == "WATCHDOG=1"), n.got
        r = d.ctl("add", "ref=C-1", "title=One", "end_date=2031-06-30",
                  "owner_email=a@council.example")
        assert r.returncode == 0, r.stderr
        assert n.wait(lambda m: m.startswith(
            "STATUS=watching 1 contract; next alert 2030-07-05 09:00;")), \
            n.statuses()
        os.kill(d.proc.pid, signal.SIGHUP)
        assert n.wait(lambda m: m.startswith("RELOADING=1\nMONOTONIC_USEC="))
        i = [k for k, m in enumerate(n.got) if m.startswith("RELOADING=1")]
        assert "READY=1" in n.got[i[0] + 1:]
        assert d.stop() == 0
        assert "STOPPING=1" in n.drain()
    finally:
        if d.proc is not None and d.proc.poll() is None:
            d.kill()
        n.close()


def test_status_counts_a_large_register_and_the_outbox(workdir):
    d = Daemon(workdir)
    d.write_config()
    n = Notify(workdir)
    path = os.path.join(workdir, "c.csv")
    with open(path, "w") as f:
        f.write("ref,title,end_date,owner_email\n")
        for i in range(1234):
            f.write("R-%04d,T %d,2031-06-30,o@council.example\n" % (i, i))
        # Ended two days ago: its expiry fires at once, to the log.
        ended = time.strftime("%Y-%m-%d", time.localtime(time.time() -
                                                         2 * 86400))
        f.write("GONE,Gone,%s,o@council.example\n" % ended)
    try:
        start(d, n)
        assert d.ctl("import", path).returncode == 0
        assert n.wait(lambda m: "watching 1 235 contracts" in m
                      and "outbox 0 pending, 0 dead; 1 overdue" in m,
                      timeout=15), n.statuses()
    finally:
        assert d.stop() == 0
        n.close()


def outbox(d):
    r = d.ctl("--json", "outbox")
    return [json.loads(x) for x in r.stdout.splitlines()]


def test_startup_line_and_no_secret_in_the_log(workdir):
    d = Daemon(workdir)
    secret = os.path.join(workdir, "hook.secret")
    with open(secret, "w") as f:
        f.write("whsec_c2VjcmV0LXNpZ25pbmcta2V5LXh5eg==\n")
    os.chmod(secret, 0o600)
    password = os.path.join(workdir, "smtp.password")
    with open(password, "w") as f:
        f.write("Sm7p-pa55word\n")
    os.chmod(password, 0o600)
    d.write_config(extra="""
[notifier hook]
plugin = webhook
url = http://127.0.0.1:9/hook
secret_file = %s

[notifier email]
plugin = smtp
url = smtp://127.0.0.1:9
from = contractd@council.example
tls = none
username = contractd
password_file = %s
""" % (secret, password))
    d.start()
    try:
        ended = time.strftime("%Y-%m-%d", time.localtime(time.time() -
                                                         2 * 86400))
        r = d.ctl("add", "ref=S-1", "title=S", "end_date=" + ended,
                  "owner_email=a@council.example")
        assert r.returncode == 0, r.stderr
        # Both channels try, and fail, with their secrets loaded.
        assert wait_for(lambda: {o["channel"] for o in outbox(d)
                                 if o.get("last_error")} >=
                        {"hook", "email"}, timeout=20), outbox(d)
        assert d.ctl("reload").returncode == 0
    finally:
        assert d.stop() == 0
    log = d.logtext()
    line = [x for x in log.splitlines() if " started: " in x]
    assert len(line) == 1, log
    assert line[0].endswith(
        "started: config %s, database %s, 0 contracts watched, channels: "
        "log (log), hook (webhook), email (smtp)" % (d.conf, d.db)), line
    for s in ("c2VjcmV0LXNpZ25pbmcta2V5LXh5eg", "Sm7p-pa55word"):
        assert s not in log
