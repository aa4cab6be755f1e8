"""make install DESTDIR=...: every file where the configured paths say, the
example config and holidays installed but never over a file that exists,
the installed unit hardened (systemd-analyze security --offline), every
man page silent under groff -ww, and uninstall keeps a changed config."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILDDIR, SRCDIR, WRAPPER

# About the build, not the daemon: once, not again under a wrapper.
pytestmark = pytest.mark.skipif(bool(WRAPPER), reason="install: run once, "
                                "without a wrapper")

PREFIX = "/usr/local"
FILES = [
    "sbin/contractd", "bin/contractctl",
    "lib/contractd/plugins/log.so", "lib/contractd/plugins/webhook.so",
    "lib/contractd/plugins/smtp.so", "include/contractd/notifier.h",
    "etc/contractd/contractd.conf", "etc/contractd/holidays.txt",
    "share/bash-completion/completions/contractctl",
    "share/man/man8/contractd.8", "share/man/man8/contractctl.8",
    "share/man/man5/contractd.conf.5",
    "lib/systemd/system/contractd.service",
    "lib/systemd/system/contractd.socket",
    "lib/sysusers.d/contractd.conf", "lib/tmpfiles.d/contractd.conf",
]


def make(*args):
    r = subprocess.run(["make", "-s", "-C", BUILDDIR] + list(args),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def prefix_of():
    with open(os.path.join(BUILDDIR, "config.status")) as f:
        m = re.search(r"^S\[\"prefix\"\]=\"(.*)\"$", f.read(), re.M)
    return m.group(1) if m else PREFIX


@pytest.fixture
def destdir(workdir):
    d = os.path.join(workdir, "root")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_install_places_every_file_and_keeps_a_config(destdir):
    root = destdir + prefix_of()
    make("install", "DESTDIR=" + destdir)
    for f in FILES:
        assert os.path.isfile(os.path.join(root, f)), f
    conf = os.path.join(root, "etc/contractd/contractd.conf")
    text = open(conf).read()
    assert "plugin_dir        = %s/lib/contractd/plugins" % prefix_of() \
        in text
    assert "holidays          = %s/etc/contractd/holidays.txt" % \
        prefix_of() in text
    with open(conf, "a") as f:
        f.write("; changed here\n")
    out = make("install", "DESTDIR=" + destdir)
    assert "keeping %s: it exists" % conf in out
    assert open(conf).read().endswith("; changed here\n")
    out = make("uninstall", "DESTDIR=" + destdir)
    assert "keeping %s: it was changed" % conf in out
    assert os.path.isfile(conf)
    left = [os.path.join(p, f) for p, _, fs in os.walk(destdir) for f in fs]
    assert left == [conf]


def test_installed_unit_is_hardened(destdir):
    make("install", "DESTDIR=" + destdir)
    unit = os.path.join(destdir + prefix_of(),
                        "lib/systemd/system/contractd.service")
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                        unit], capture_output=True, text=True, timeout=120)
    if "--offline" in r.stderr and "unrecognized" in r.stderr:
        pytest.skip("systemd-analyze here has no --offline")
    m = re.search(r"Overall exposure level for contractd.service: "
                  r"([0-9.]+) (\w+)", r.stdout)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) < 2.0, m.group(0)


def test_man_pages_render_without_warnings():
    for page in ("contractd.8", "contractctl.8", "contractd.conf.5"):
        r = subprocess.run(["groff", "-ww", "-z", "-mdoc",
                            os.path.join(SRCDIR, "man", page)],
                           capture_output=True, text=True)
        assert r.returncode == 0 and r.stderr == "", (page, r.stderr)
