"""The webhook plugin loaded by the real daemon: `contractd -t` lets it
check its [notifier NAME] keys and report each problem with file:line."""
import os
import subprocess

import pytest

from conftest import CONTRACTD, PLUGIN_DIR

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(PLUGIN_DIR, "webhook.so")),
    reason="webhook plugin not built")

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"


def secret_file(workdir, mode):
    path = os.path.join(workdir, "hook-%o.secret" % mode)
    with open(path, "w") as f:
        f.write(SECRET)
    os.chmod(path, mode)
    return path


def line_of(conf, text):
    with open(conf) as f:
        for n, line in enumerate(f, 1):
            if line.startswith(text):
                return n
    raise AssertionError("%r not in %s" % (text, conf))


def check(daemon):
    return subprocess.run([CONTRACTD, "-t", "-c", daemon.conf],
                          capture_output=True, text=True, timeout=30)


def test_good_channel(daemon):
    daemon.write_config(extra="""
[notifier teams]
plugin = webhook
kinds = extension_deadline,coverage_gap,expired
url = https://hooks.example/teams/abc
format = teams
secret_file = {secret}
connect_timeout = 5
timeout = 20

[notifier plain]
plugin = webhook
kinds = *
url = http://127.0.0.1:9/hook
""".format(secret=secret_file(daemon.dir, 0o600)))
    r = check(daemon)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "configuration OK\n"


def test_every_problem_with_its_line(daemon):
    loose = secret_file(daemon.dir, 0o644)
    daemon.write_config(extra="""
[notifier hook]
plugin = webhook
kinds = *
url = ftp://hooks.example/x
format = discord
header = X-Token: abc
secret_file = {secret}
timeout = 0

[notifier nourl]
plugin = webhook
kinds = *
format = slack
""".format(secret=loose))
    r = check(daemon)
    assert r.returncode == 1
    c = daemon.conf
    want = [
        "%s:%d: [notifier hook] url: scheme 'ftp' is not http or https"
        % (c, line_of(c, "url = ftp")),
        "%s:%d: [notifier hook] format: not generic, slack or teams: "
        "discord" % (c, line_of(c, "format = discord")),
        "%s:%d: [notifier hook] unknown key 'header' (the webhook notifier "
        "takes url, format, secret_file, connect_timeout and timeout)"
        % (c, line_of(c, "header =")),
        "%s:%d: [notifier hook] secret_file: %s: mode 0644 gives group or "
        "others access; chmod 600 it" % (c, line_of(c, "secret_file"), loose),
        "%s:%d: [notifier hook] timeout: not a number of seconds from 1 to "
        "3600: 0" % (c, line_of(c, "timeout = 0")),
        "%s:%d: [notifier nourl] url: required (the address alerts are "
        "POSTed to)" % (c, line_of(c, "[notifier nourl]")),
    ]
    assert r.stderr.splitlines() == want
