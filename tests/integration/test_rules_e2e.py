"""Rules end to end that had no test of their own: administration through
admin_group (SO_PEERGROUPS); an acknowledgement does not cover a new due
date; an update of end_date moves next_alert; the alerts a silence held
fire once, late, when it ends; lapsed_extension reaches the payload;
contractd -t reports core and plugin errors in one run."""
import datetime
import grp
import json
import os
import subprocess
import time

import pytest

from conftest import CONTRACTD, Daemon, wait_for
from receiver import Receiver
from test_engine import alert_lines, milestones, seeded
from test_webhook import hook_config, today

NOBODY = 65534


def as_nobody(d, groups, *args):
    """contractctl as uid nobody, with exactly these supplementary groups."""
    d.ctl("ping", user=NOBODY)          # copies contractctl where nobody
    ctl = os.path.join(d.dir, "contractctl")    # may run it
    cmd = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY)]
    cmd += ["--groups", ",".join(map(str, groups))] if groups else \
        ["--clear-groups"]
    return subprocess.run(cmd + [ctl, "-s", d.sock] + list(args),
                          capture_output=True, text=True, timeout=60)


def test_admin_group_member_may_reload_others_may_not(workdir):
    try:
        gid = grp.getgrnam("staff").gr_gid
    except KeyError:
        pytest.skip("no group 'staff' on this machine")
    d = Daemon(workdir)
    d.write_config(daemon_extra="admin_group = staff", socket_mode="0666")
    d.start()
    try:
        r = as_nobody(d, [gid], "--json", "reload")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout) == {"reloaded": True}
        r = as_nobody(d, [], "reload")
        assert r.returncode == 1
        assert "forbidden" in r.stderr
        r = as_nobody(d, [], "--json", "status")
        assert r.returncode == 0 and json.loads(r.stdout)["admin"] is False
        r = as_nobody(d, [gid], "--json", "status")
        assert json.loads(r.stdout)["admin"] is True
    finally:
        assert d.stop() == 0


def test_ack_then_new_end_date_is_alerted_again(workdir):
    d = seeded(workdir, "2025-03-30 12:00:00")
    d.start(faketime="@2025-03-30 12:00:10")
    try:
        r = d.ctl("ack", "HAV-CPDPS", "extension_deadline")
        assert r.returncode == 0, r.stderr
        assert milestones(d, "HAV-CPDPS")["extension_deadline"]["acked"]
        r = d.ctl("update", "HAV-CPDPS", "end_date=2025-05-31")
        assert r.returncode == 0, r.stderr
        ext = milestones(d, "HAV-CPDPS")["extension_deadline"]
        assert (ext["due"], ext["acked"]) == ("2025-05-01", False)
    finally:
        assert d.stop() == 0
    # 30 days before the new deadline: 1 April.
    d.start(faketime="@2025-04-01 08:59:55")
    try:
        key = "HAV-CPDPS/extension_deadline/2025-05-01/30"
        assert wait_for(lambda: alert_lines(d, key), timeout=20), \
            d.logtext()
        assert not alert_lines(d, "HAV-CPDPS/extension_deadline/"
                               "2025-03-31/0")
    finally:
        assert d.stop() == 0


def first_alert(d, ref, frm, to):
    r = d.ctl("--json", "simulate", "--from", frm, "--to", to)
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    return min(a["fire_at"] for a in rows if a["contract"] == ref)


def test_update_of_end_date_moves_next_alert(daemon):
    daemon.start()
    r = daemon.ctl("add", "ref=MOVE-1", "title=Moves", "end_date=2031-06-30",
                   "owner_email=o@council.example")
    assert r.returncode == 0, r.stderr
    before = daemon.ctl_json("show", "MOVE-1")["next_alert"]
    # The procurement start's 90-day alert: 3 Oct 2030 - 90 days.
    assert before == "2030-07-05T09:00:00+01:00"
    assert before == first_alert(daemon, "MOVE-1", "2026-01-01",
                                 "2031-12-31")
    r = daemon.ctl("update", "MOVE-1", "end_date=2032-06-30",
                   "max_end_date=2032-06-30")
    assert r.returncode == 0, r.stderr
    after = daemon.ctl_json("show", "MOVE-1")["next_alert"]
    # 4 Oct 2031 less 90 days is Sunday 6 July 2031: the Friday before.
    assert after == "2031-07-04T09:00:00+01:00"
    assert after == first_alert(daemon, "MOVE-1", "2026-01-01",
                                "2032-12-31")


def test_silence_end_releases_held_alerts_late_once(workdir):
    d = seeded(workdir, "2025-03-30 12:00:00")
    d.start(faketime="@2025-03-30 12:00:10")
    try:
        r = d.ctl("silence", "HAV-CPDPS", "--until", "2025-04-01")
        assert r.returncode == 0, r.stderr
    finally:
        assert d.stop() == 0
    held = ["HAV-CPDPS/extension_deadline/2025-03-31/0",
            "HAV-CPDPS/term_end/2025-04-30/30",
            "HAV-CPDPS/coverage_gap/2025-04-30/30"]
    d.start(faketime="@2025-03-31 09:00:05")
    try:
        time.sleep(2)
        assert [k for k in held if alert_lines(d, k)] == []
    finally:
        assert d.stop() == 0
    d.start(faketime="@2025-04-02 08:59:55")
    try:
        assert wait_for(lambda: all(alert_lines(d, k) for k in held),
                        timeout=20), d.logtext()
    finally:
        assert d.stop() == 0
    d.start(faketime="@2025-04-02 10:00:00")
    try:
        time.sleep(2)
    finally:
        assert d.stop() == 0
    for k in held:
        lines = alert_lines(d, k)
        assert len(lines) == 1, (k, lines)
        assert "late=yes" in lines[0]
    assert "overdue_days=2" in alert_lines(d, held[0])[0]


def test_lapsed_extension_reaches_the_webhook_body(daemon):
    rcv = Receiver()
    try:
        hook_config(daemon, rcv.url)
        # Every kind to the hook: the flag goes with the next alert.
        with open(daemon.conf) as f:
            text = f.read().replace("kinds = term_end", "kinds = *", 1)
        with open(daemon.conf, "w") as f:
            f.write(text)
        daemon.start()
        ended = today() - datetime.timedelta(days=3)
        r = daemon.ctl("add", "ref=LAP-1", "title=Lapsed",
                       "owner_email=o@council.example",
                       "end_date=" + ended.isoformat(),
                       "max_end_date=" + (ended + datetime.timedelta(
                           days=365)).isoformat())
        assert r.returncode == 0, r.stderr
        time.sleep(1)
        before = len(rcv.requests)
        until = today() + datetime.timedelta(days=20)
        r = daemon.ctl("extend", "LAP-1", "--until", until.isoformat(),
                       "--decided-on", today().isoformat())
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: len(rcv.requests) > before, timeout=20)
        time.sleep(1)
        bodies = [json.loads(q["body"]) for q in rcv.requests[before:]]
        flagged = [b for b in bodies if b["lapsed_extension"]]
        # The first alert after the extension carries it, and only it.
        assert len(flagged) == 1, bodies
        assert flagged[0]["contract"]["end_date"] == until.isoformat()
        assert all(not json.loads(q["body"])["lapsed_extension"]
                   for q in rcv.requests[:before])
    finally:
        rcv.close()


def test_check_reports_core_and_plugin_errors_in_one_run(daemon):
    daemon.write_config(daemon_extra="max_age = forever", extra="""
[notifier hook]
plugin = webhook
url = ftp://example/hook
colour = blue
""")
    r = subprocess.run([CONTRACTD, "-t", "-c", daemon.conf],
                       capture_output=True, text=True)
    assert r.returncode == 1
    conf = daemon.conf
    lines = open(conf).read().splitlines()
    at = {k: lines.index(v) + 1 for k, v in (
        ("age", "max_age = forever"), ("url", "url = ftp://example/hook"),
        ("colour", "colour = blue"))}
    assert "%s:%d: max_age: not a duration (e.g. 30s, 15m, 12h, 3d): " \
        "forever" % (conf, at["age"]) in r.stderr, r.stderr
    assert "%s:%d:" % (conf, at["url"]) in r.stderr, r.stderr
    assert "%s:%d:" % (conf, at["colour"]) in r.stderr, r.stderr


def history_alerts(d, ref):
    return {(a["key"], a["state"]) for a in d.ctl_json("history", ref)[
        "alerts"]}


def test_import_skips_stay_in_history_after_a_change(workdir):
    d = seeded(workdir, "2025-03-30 12:00:00")
    d.start(faketime="@2025-03-30 12:00:10")
    try:
        before = history_alerts(d, "HAV-CPDPS")
        skipped = {k for k, s in before if s == "skipped"}
        assert "HAV-CPDPS/term_end/2025-04-30/90" in skipped
        assert "HAV-CPDPS/extension_deadline/2025-03-31/60" in skipped
        r = d.ctl("update", "HAV-CPDPS", "end_date=2025-06-30")
        assert r.returncode == 0, r.stderr
        after = history_alerts(d, "HAV-CPDPS")
        assert before <= after, before - after
        r = d.ctl("extend", "HAV-CPDPS", "--until", "2025-08-31")
        assert r.returncode == 0, r.stderr
        assert before <= history_alerts(d, "HAV-CPDPS")
    finally:
        assert d.stop() == 0
