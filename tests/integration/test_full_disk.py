"""A full disk: the database on a small tmpfs of its own (a private mount
namespace, unshare -m, as root), filled up.  The daemon keeps serving
reads, refuses changes with a clear error, logs it once, and once there
is room again takes the change and delivers every alert; a corrupt
database is refused at start, naming the file, and left as it is."""
import json
import os
import subprocess
import time

import pytest

from conftest import CONTRACTD, WRAPPER, Daemon, wait_for

FULL = ("the disk holding the database is full: nothing was changed; make "
        "room and try again")


def can_unshare():
    if os.geteuid() != 0:
        return False
    r = subprocess.run(["unshare", "-m", "sh", "-c",
                        "mount -t tmpfs -o size=1m tmpfs /mnt"],
                       capture_output=True)
    return r.returncode == 0


def register(path, n, ended=0, prefix="R"):
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() - 2 * 86400))
    with open(path, "w") as f:
        f.write("ref,title,end_date,owner_email\n")
        for i in range(n):
            f.write("%s-%05d,Contract number %d with a long title,"
                    "2031-06-30,owner%d@council.example\n" % (prefix, i, i,
                                                              i % 50))
        for i in range(ended):
            f.write("GONE-%d,Ended,%s,o@council.example\n" % (i, day))
    return path


@pytest.mark.skipif(not can_unshare(),
                    reason="needs root and mount namespaces (unshare -m)")
def test_full_disk_serves_reads_refuses_changes_loses_nothing(workdir):
    d = Daemon(workdir)
    small = os.path.join(workdir, "db")
    os.mkdir(small)
    d.write_config()
    with open(d.conf) as f:
        text = f.read()
    with open(d.conf, "w") as f:
        f.write(text.replace("database = %s/contractd.db" % workdir,
                             "database = %s/contractd.db" % small))
    d.log = open(d.logpath, "a")
    d.proc = subprocess.Popen(
        ["unshare", "-m", "sh", "-c",
         'mount -t tmpfs -o size=64m tmpfs "$0" && exec "$@"', small] +
        WRAPPER + [CONTRACTD, "-f", "-d", "-c", d.conf],
        stdout=d.log, stderr=d.log, env=d.env())
    try:
        assert wait_for(lambda: d.proc.poll() is not None or d.ping_ok(),
                        timeout=20)
        assert d.proc.poll() is None, d.logtext()
        first = register(os.path.join(workdir, "first.csv"), 10)
        assert d.ctl("import", first).returncode == 0
        # Fill what the daemon sees, through its own root.
        filler = "/proc/%d/root%s/filler" % (d.proc.pid, small)
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        big = register(os.path.join(workdir, "big.csv"), 20000, ended=3,
                       prefix="B")
        r = d.ctl("import", big)
        assert r.returncode == 1
        assert FULL in r.stderr, r.stderr
        r = d.ctl("add", "ref=ONE", "title=One", "end_date=2031-01-31")
        assert r.returncode == 1 and FULL in r.stderr, r.stderr
        st = d.ctl_json("status")
        assert st["contracts"] == 10
        assert json.loads(d.ctl("--json", "show", "R-00003").stdout)[
            "ref"] == "R-00003"
        assert d.logtext().count("the disk is full") == 1
        os.unlink(filler)
        r = d.ctl("--json", "import", big)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["imported"] == 20003
        assert "there is room on the disk again" in d.logtext()
        # Every expiry fired once and was delivered.
        assert wait_for(lambda: d.ctl_json("status")["outbox"][
            "delivered"] == 3, timeout=30), d.ctl_json("status")
        for i in range(3):
            assert d.logtext().count(">alert GONE-%d/expired/" % i) == 1
    finally:
        assert d.stop() == 0


def test_corrupt_database_is_refused_and_kept(workdir):
    d = Daemon(workdir)
    d.write_config()
    junk = os.urandom(8192)
    with open(d.db, "wb") as f:
        f.write(junk)
    r = subprocess.run([CONTRACTD, "-f", "-c", d.conf], capture_output=True,
                       text=True, timeout=30, env=d.env())
    assert r.returncode != 0
    assert "database: %s: file is not a database (it is left as it is: " \
        "restore it from a backup, or move it away to start with an " \
        "empty database)" % d.db in r.stderr, r.stderr
    with open(d.db, "rb") as f:
        assert f.read() == junk
