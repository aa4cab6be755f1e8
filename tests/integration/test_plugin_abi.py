"""The plugin ABI: a notifier built against ABI 1's notifier.h (no struct
sizes, the flattened delivery) is refused by name, with what to do about
it, both by `contractd -t` and at start; a plugin of ABI 2 built outside
the tree, against the installed header, loads and is handed the alert."""
import os
import shutil
import subprocess

import pytest

from conftest import CONTRACTD, PLUGIN_DIR, SRCDIR, Daemon

# The descriptor as ABI 1's notifier.h declared it: the plugin below is
# what a third party built before ABI 2, byte for byte in its layout.
ABI1_PLUGIN = r"""
#include <stddef.h>
struct notifier_plugin_v1 {
	int		 abi;
	const char	*name;
	unsigned	 flags;
	int		(*init)(const void *, const void *, void **);
	int		(*send)(void *, void *);
	void		(*fini)(void *);
};
static int i(const void *h, const void *c, void **p)
{ (void)h; (void)c; *p = NULL; return 0; }
static int s(void *p, void *d) { (void)p; (void)d; return 0; }
static void f(void *p) { (void)p; }
__attribute__((visibility("default")))
const struct notifier_plugin_v1 contractd_notifier = {
	1, "legacy", 0, i, s, f
};
"""

# ABI 2, against plugins/notifier.h: logs the words the host gives it.
ABI2_PLUGIN = r"""
#include <stdlib.h>
#include <syslog.h>
#include "notifier.h"
static const struct notifier_host *host;
static int i(const struct notifier_host *h, const struct notifier_config *c,
    void **p)
{ (void)c; host = h; *p = NULL; return 0; }
static int s(void *p, struct notifier_delivery *d)
{
	char *subj = host->alert_subject(d->alert);
	char *what = host->alert_consequence(d->alert);
	(void)p;
	host->log(LOG_NOTICE, "abi2 size=%s subject=<%s> if-not=<%s>",
	    d->size == sizeof(*d) ? "ok" : "bad", subj ? subj : "",
	    what ? what : "");
	free(subj);
	free(what);
	host->result(d, NOTIFIER_OK, 0, NULL);
	return 0;
}
static void f(void *p) { (void)p; }
__attribute__((visibility("default")))
const struct notifier_plugin contractd_notifier = {
	.abi = NOTIFIER_ABI_VERSION, .size = sizeof(struct notifier_plugin),
	.name = "abi2", .init = i, .send = s, .fini = f,
};
"""


def build(pdir, name, source):
    src = os.path.join(pdir, name + ".c")
    with open(src, "w") as f:
        f.write(source)
    flags = subprocess.run(["pkg-config", "--cflags", "jansson",
                            "libcurl"], capture_output=True,
                           text=True).stdout.split()
    subprocess.run(["cc", "-shared", "-fPIC", "-Wall", "-Wextra",
                    "-Werror", "-I", os.path.join(SRCDIR, "plugins")] +
                   flags + ["-o", os.path.join(pdir, name + ".so"), src],
                   check=True)


@pytest.fixture
def plugin_dir(workdir):
    """A plugin_dir holding the tree's plugins, and old.so (ABI 1) and
    abi2.so built here with the compiler."""
    pdir = os.path.join(workdir, "plugins")
    os.mkdir(pdir)
    for so in ("log.so", "webhook.so"):
        shutil.copy(os.path.join(PLUGIN_DIR, so), pdir)
    build(pdir, "old", ABI1_PLUGIN)
    build(pdir, "abi2", ABI2_PLUGIN)
    return pdir


def legacy_config(d, pdir):
    d.write_config(daemon_extra="plugin_dir = " + pdir,
                   extra="[notifier legacy]\nplugin = old\n")
    with open(d.conf) as f:
        text = f.read()
    # plugin_dir is set twice: keep ours, the last one.
    text = text.replace("plugin_dir = " + PLUGIN_DIR + "\n", "", 1)
    with open(d.conf, "w") as f:
        f.write(text)
    line = text.splitlines().index("[notifier legacy]") + 1
    return line


def refusal(d, pdir, line):
    return ("%s:%d: [notifier legacy] plugin 'old' (%s/old.so) uses "
            "notifier ABI 1; this contractd needs ABI 2: rebuild it "
            "against this contractd's notifier.h" % (d.conf, line, pdir))


def test_abi1_plugin_refused_by_check(workdir, plugin_dir):
    d = Daemon(workdir)
    line = legacy_config(d, plugin_dir)
    r = subprocess.run([CONTRACTD, "-t", "-c", d.conf], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr == refusal(d, plugin_dir, line) + "\n"


def test_abi1_plugin_refused_at_start(workdir, plugin_dir):
    d = Daemon(workdir)
    line = legacy_config(d, plugin_dir)
    r = subprocess.run([CONTRACTD, "-f", "-d", "-c", d.conf],
                       capture_output=True, text=True, timeout=30,
                       env=d.env())
    assert r.returncode != 0
    assert refusal(d, plugin_dir, line) in r.stderr
    assert not os.path.exists(d.sock)


def test_abi2_plugin_gets_the_alert_and_its_words(daemon, plugin_dir):
    daemon.write_config(daemon_extra="plugin_dir = " + plugin_dir,
                        extra="[notifier two]\nplugin = abi2\n"
                        "kinds = term_end\n", alerts_extra="term_end = 30\n")
    with open(daemon.conf) as f:
        text = f.read().replace("plugin_dir = " + PLUGIN_DIR + "\n", "", 1)
    with open(daemon.conf, "w") as f:
        f.write(text)
    daemon.start(faketime="@2025-04-20 12:00:00")
    r = daemon.ctl("add", "ref=ABI-1", "title=Two", "end_date=2025-04-30")
    assert r.returncode == 0, r.stderr
    assert daemon.wait_log("abi2 size=ok")
    assert ("abi2 size=ok subject=<[contractd] ABI-1: term ends in 10 "
            "days (2025-04-30)> if-not=<the service has no contract "
            "after 30 April 2025>") in daemon.logtext()
