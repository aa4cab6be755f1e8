"""bash completion for contractctl against a running daemon: commands and
options from the client's usage; refs, channels and a contract's
milestone kinds from the daemon."""
import os
import subprocess

from conftest import BUILDDIR

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "..", "completion", "contractctl")


def complete(d, *words):
    """COMPREPLY for the command line 'contractctl -s SOCK WORDS...'."""
    line = ["contractctl", "-s", d.sock] + list(words)
    script = """
source %s
COMP_WORDS=(%s)
COMP_CWORD=%d
_contractctl
printf '%%s\\n' "${COMPREPLY[@]}"
""" % (SCRIPT, " ".join("'%s'" % w for w in line), len(line) - 1)
    env = dict(os.environ)
    env["PATH"] = os.path.join(BUILDDIR, "ctl") + ":" + env["PATH"]
    r = subprocess.run(["bash", "-c", script], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
    return sorted(w for w in r.stdout.split("\n") if w)


def test_completion(daemon):
    daemon.start()
    assert daemon.ctl("add", "ref=HAV-CPDPS", "title=DPS",
                      "end_date=2031-04-30", "max_end_date=2032-04-30",
                      "owner_email=a@council.example").returncode == 0
    assert daemon.ctl("add", "ref=HAV-ADV", "title=Advocacy",
                      "end_date=2031-01-31").returncode == 0
    assert "agenda" in complete(daemon, "")
    assert complete(daemon, "sh") == ["show"]
    assert complete(daemon, "show", "HAV") == ["HAV-ADV", "HAV-CPDPS"]
    assert complete(daemon, "history", "HAV-C") == ["HAV-CPDPS"]
    assert complete(daemon, "extend", "HAV-CPDPS", "--") == [
        "--decided-on", "--decision-ref", "--months", "--note", "--until"]
    assert complete(daemon, "notify-test", "") == ["log"]
    assert complete(daemon, "ack", "HAV-CPDPS", "") == [
        "expired", "extension_deadline", "procurement_start", "term_end"]
    assert complete(daemon, "ack", "HAV-CPDPS", "ex") == [
        "expired", "extension_deadline"]
