"""The deadline engine end to end: the seed's DPS through simulate, extend
and a successor; alerts firing in real time under libfaketime; catch-up
after downtime; CSV import refused whole on any bad row."""
import datetime
import json
import os
import socket
import sqlite3
import struct
import subprocess
import time

import pytest

from conftest import CONTRACTCTL, SLOW, Daemon, SRCDIR, readline, wait_for


def import_answer(n, fired):
    """A plain import's answer: n contracts added, nothing else."""
    return {"imported": n, "added": n, "updated": 0, "unchanged": 0,
            "skipped_count": 0, "skipped": [], "fired": fired,
            "warnings": []}


DPS_SERVICES = ("supported-living:LD;supported-living:MH;"
                "supported-living:children;residential:LD;nursing:LD")
HEADER = ("ref,title,kind,start_date,end_date,max_end_date,services,"
          "owner_email,successor_ref\n")
DPS_ROW = ("HAV-CPDPS,Complex Placements DPS,dps,2020-06-01,2025-04-30,"
           "2026-04-30,\"%s\",commissioning@council.example,\n"
           % DPS_SERVICES)
ASC_ROW = ("HAV-ASCPF,ASC Placement Framework,framework,2026-01-01,"
           "2029-12-31,2031-12-31,\"supported-living:LD;"
           "supported-living:MH;residential:LD;nursing:LD\","
           "commissioning@council.example,\n")


def write(d, name, text):
    path = os.path.join(d.dir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def import_ok(d, text, name="c.csv"):
    r = d.ctl("--json", "import", write(d, name, text))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def simulate(d, frm, to):
    r = d.ctl("simulate", "--from", frm, "--to", to, "--json")
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def milestones(d, ref):
    return {m["milestone"]: m for m in d.ctl_json("show", ref)["milestones"]}


def test_seed_schedule_through_simulate(daemon):
    daemon.start()
    assert import_ok(daemon, HEADER + DPS_ROW)["imported"] == 1
    alerts = simulate(daemon, "2025-01-01", "2026-02-01")
    ext = [(a["fire_at"], a["offset_days"]) for a in alerts
           if a["milestone"] == "extension_deadline"]
    assert ext == [
        ("2025-01-30T09:00:00+00:00", 60),
        ("2025-02-28T09:00:00+00:00", 30),   # Sat 1 March -> Friday
        ("2025-03-17T09:00:00+00:00", 14),
        ("2025-03-24T09:00:00+00:00", 7),
        ("2025-03-28T09:00:00+00:00", 1),    # Sun 30 March -> Friday
        ("2025-03-31T09:00:00+01:00", 0),    # BST
    ]
    assert all(a["due"] == "2025-03-31" for a in alerts
               if a["milestone"] == "extension_deadline")
    assert all(a["contract"] == "HAV-CPDPS" and a["channels"] == ["log"]
               for a in alerts)
    assert alerts == sorted(alerts, key=lambda a: (
        a["fire_at"], a["contract"], a["milestone"]))
    expired = [a for a in alerts if a["milestone"] == "expired"]
    assert [(a["fire_at"], a["due"]) for a in expired] == [
        ("2025-05-01T09:00:00+01:00", "2025-05-01")]
    proc = [(a["fire_at"], a["offset_days"]) for a in alerts
            if a["milestone"] == "procurement_start"]
    # due 2026-04-30 - 270 days = 2025-08-03 (a Sunday)
    assert proc == [
        ("2025-05-02T09:00:00+01:00", 90),   # Mon 5 May bank holiday
        ("2025-06-04T09:00:00+01:00", 60),
        ("2025-07-04T09:00:00+01:00", 30),
        ("2025-07-25T09:00:00+01:00", 7),
        ("2025-08-01T09:00:00+01:00", 0),
    ]
    ms = milestones(daemon, "HAV-CPDPS")
    assert ms["extension_deadline"]["due"] == "2025-03-31"
    assert ms["term_end"]["due"] == "2025-04-30"
    assert ms["procurement_start"]["due"] == "2025-08-03"
    assert ms["coverage_gap"]["uncovered"] == DPS_SERVICES
    assert ms["expired"]["due"] == "2025-05-01"


def test_seed_extension_and_successor(daemon):
    daemon.start()
    import_ok(daemon, HEADER + DPS_ROW)
    r = daemon.ctl("--json", "extend", "HAV-CPDPS", "--months", "8",
                   "--decision-ref", "NKD-2025-031",
                   "--decided-on", "2025-05-06")
    assert r.returncode == 0, r.stderr
    ext = json.loads(r.stdout)
    assert (ext["old_end"], ext["new_end"], ext["max_end_date"],
            ext["lapsed"]) == ("2025-04-30", "2025-12-31", "2026-04-30",
                               True)
    r = daemon.ctl("extend", "HAV-CPDPS", "--months", "5")
    assert r.returncode == 1
    assert "new end 2026-05-31 is after the maximum extent 2026-04-30" \
        in r.stderr
    r = daemon.ctl("--json", "extend", "HAV-CPDPS", "--until", "2025-12-31")
    assert json.loads(r.stdout)["error"]["code"] == "invalid_argument"
    show = daemon.ctl_json("show", "HAV-CPDPS")
    assert show["end_date"] == "2025-12-31"
    assert show["max_end_date"] == "2026-04-30"
    assert show["lapsed_extension"] is True
    hist = daemon.ctl_json("history", "HAV-CPDPS")
    assert [(e["old_end"], e["new_end"], e["decided_on"], e["decision_ref"],
             e["lapsed"], e["user"]) for e in hist["extensions"]] == [
        ("2025-04-30", "2025-12-31", "2025-05-06", "NKD-2025-031", True,
         "root")]
    human = daemon.ctl("history", "HAV-CPDPS").stdout
    assert "RECORDED AFTER THE CONTRACT HAD LAPSED" in human
    ms = milestones(daemon, "HAV-CPDPS")
    assert ms["extension_deadline"]["due"] == "2025-12-01"
    assert ms["term_end"]["due"] == "2025-12-31"
    assert "procurement_start" in ms
    # The successor framework starts the day after the extended end.
    r = daemon.ctl("add", *ASC_ROW and [
        "ref=HAV-ASCPF", "title=ASC Placement Framework",
        "kind=framework", "start_date=2026-01-01", "end_date=2029-12-31",
        "max_end_date=2031-12-31",
        "services=supported-living:LD;supported-living:MH;residential:LD;"
        "nursing:LD"])
    assert r.returncode == 0, r.stderr
    assert daemon.ctl("update", "HAV-CPDPS",
                      "successor_ref=HAV-ASCPF").returncode == 0
    ms = milestones(daemon, "HAV-CPDPS")
    assert "procurement_start" not in ms
    assert ms["coverage_gap"]["uncovered"] == "supported-living:children"
    assert ms["coverage_gap"]["due"] == "2025-12-31"
    # Changes are audited with who made them.
    db = sqlite3.connect(daemon.db)
    cmds = [r[0] for r in db.execute(
        "SELECT cmd FROM audit WHERE uid = 0 AND user = 'root' "
        "ORDER BY id")]
    db.close()
    assert cmds == ["import", "extend", "extend", "extend", "add", "update"]


def seeded(workdir, when):
    """A daemon whose database holds the DPS, imported at fake time when."""
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@" + when)
    import_ok(d, HEADER + DPS_ROW)
    assert d.stop() == 0
    return d


def alert_lines(d, key):
    """Log notifier lines of alert key (or of keys starting with key/)."""
    out = []
    for line in d.logtext().splitlines():
        if ">alert " not in line:
            continue
        k = line.split(">alert ", 1)[1].split(" ", 1)[0]
        if k == key or (key.endswith("/") and k.startswith(key)):
            out.append(line)
    return out


def fired_keys(d, prefix, n):
    """The keys of the log notifier's lines under prefix, once n are."""
    assert wait_for(lambda: len(alert_lines(d, prefix)) >= n)
    return sorted(line.split(">alert ")[1].split()[0]
                  for line in alert_lines(d, prefix))


def test_alerts_fire_on_time_then_catch_up_late(workdir):
    d = seeded(workdir, "2025-03-30 12:00:00")
    at_nine = ["HAV-CPDPS/extension_deadline/2025-03-31/0",
               "HAV-CPDPS/term_end/2025-04-30/30",
               "HAV-CPDPS/coverage_gap/2025-04-30/30"]
    d.start(faketime="@2025-03-31 08:59:57")
    try:
        assert wait_for(lambda: all(alert_lines(d, k) for k in at_nine),
                        timeout=20), d.logtext()
        for k in at_nine:
            lines = alert_lines(d, k)
            assert len(lines) == 1, lines
            assert "late=no" in lines[0]
        line = alert_lines(d, at_nine[0])[0]
        assert "due=2025-03-31 days_left=0" in line
        assert 'title="Complex Placements DPS"' in line
    finally:
        assert d.stop() == 0
    # Down for a month: of each milestone still ahead or overdue only the
    # most recent missed alert comes out, marked late; the rest are
    # recorded as skipped.  The term has ended: its term_end and
    # coverage_gap hand over to expired, overdue by a day.
    d.start(faketime="@2025-05-02 10:00:00")
    late = ["HAV-CPDPS/expired/2025-05-01/0",
            "HAV-CPDPS/procurement_start/2025-08-03/90"]
    try:
        assert wait_for(lambda: all(alert_lines(d, k) for k in late),
                        timeout=20), d.logtext()
        for k in late:
            lines = alert_lines(d, k)
            assert len(lines) == 1 and "late=yes" in lines[0], lines
        assert "days_left=-1 late=yes overdue_days=1" in alert_lines(
            d, late[0])[0]
        assert "overdue_days" not in alert_lines(d, late[1])[0]
        for k in ["term_end/2025-04-30/14", "term_end/2025-04-30/7",
                  "term_end/2025-04-30/1", "term_end/2025-04-30/0",
                  "coverage_gap/2025-04-30/7",
                  "coverage_gap/2025-04-30/0"]:
            assert not alert_lines(d, "HAV-CPDPS/" + k)
        hist = d.ctl_json("history", "HAV-CPDPS")
        state = {a["key"]: (a["state"], a["late"]) for a in hist["alerts"]}
        assert state["HAV-CPDPS/term_end/2025-04-30/14"] == ("skipped",
                                                             False)
        assert state["HAV-CPDPS/coverage_gap/2025-04-30/7"] == ("skipped",
                                                               False)
        assert state["HAV-CPDPS/term_end/2025-04-30/0"] == ("skipped",
                                                            False)
        assert state["HAV-CPDPS/expired/2025-05-01/0"] == ("fired", True)
        assert state["HAV-CPDPS/extension_deadline/2025-03-31/0"] == (
            "fired", False)
        before = d.logtext().count(">alert ")
    finally:
        assert d.stop() == 0
    # A restart with nothing new due fires nothing again.
    d.start(faketime="@2025-05-02 10:05:00")
    try:
        assert d.ctl("ping").returncode == 0
        assert wait_for(lambda: "next wake" in
                        d.logtext().split("contractd stopped")[-1])
        assert d.logtext().count(">alert ") == before
    finally:
        assert d.stop() == 0


def test_import_skips_the_past_but_the_latest_ahead(workdir):
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-20 12:00:00")
    try:
        r = import_ok(d, HEADER + DPS_ROW)
        assert r == import_answer(1, 3)
        assert fired_keys(d, "HAV-CPDPS/", 3) == [
            "HAV-CPDPS/coverage_gap/2025-04-30/90",
            "HAV-CPDPS/extension_deadline/2025-03-31/14",
            "HAV-CPDPS/term_end/2025-04-30/60"]
        hist = d.ctl_json("history", "HAV-CPDPS")
        skipped = sorted(a["key"] for a in hist["alerts"]
                         if a["state"] == "skipped")
        assert "HAV-CPDPS/extension_deadline/2025-03-31/30" in skipped
        assert "HAV-CPDPS/term_end/2025-04-30/90" in skipped
    finally:
        assert d.stop() == 0


def test_import_coverage_sees_the_whole_file(workdir):
    # The DPS sorts before its successor's ref, which covers all its
    # services: a coverage_gap must not fire because the successor's row
    # is stored after the DPS's.
    succ = ("HAV-ZNEXT,Successor framework,framework,2025-05-01,"
            "2029-12-31,2029-12-31,\"%s\",commissioning@council.example,\n"
            % DPS_SERVICES)
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-20 12:00:00")
    try:
        r = import_ok(d, HEADER + DPS_ROW + succ)
        assert r == import_answer(2, 2)
        assert fired_keys(d, "HAV-CPDPS/", 2) == [
            "HAV-CPDPS/extension_deadline/2025-03-31/14",
            "HAV-CPDPS/term_end/2025-04-30/60"]
    finally:
        assert d.stop() == 0


def test_import_fires_what_is_due_with_coverage_gaps(workdir):
    # Two contracts or more: the alerts due at once fire as the import
    # ends, coverage gaps among them (their payload names the services
    # left uncovered by the whole file).
    later = ("HAV-LATER,Later contract,contract,2025-01-01,2030-12-31,"
             "2030-12-31,home-care:LD,later@council.example,\n")
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-20 12:00:00")
    try:
        r = import_ok(d, HEADER + DPS_ROW + later)
        assert r == import_answer(2, 3)
        assert fired_keys(d, "HAV-CPDPS/", 3) == [
            "HAV-CPDPS/coverage_gap/2025-04-30/90",
            "HAV-CPDPS/extension_deadline/2025-03-31/14",
            "HAV-CPDPS/term_end/2025-04-30/60"]
    finally:
        assert d.stop() == 0


def test_history_keeps_to_its_own_ref(workdir):
    # A contract's alerts are the keys from "ref/" on: a ref may hold a
    # '/', so "DPS/2"'s keys fall in "DPS"'s range, and are not its own.
    rows = "".join(DPS_ROW.replace("HAV-CPDPS", ref, 1)
                   for ref in ("DPS", "DPS/2", "DPS0"))
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-20 12:00:00")
    try:
        assert import_ok(d, HEADER + rows)["fired"] == 9
        for ref in ("DPS", "DPS/2", "DPS0"):
            hist = d.ctl_json("history", ref)
            keys = sorted(a["key"] for a in hist["alerts"]
                          if a["state"] == "fired")
            assert keys == [ref + "/coverage_gap/2025-04-30/90",
                            ref + "/extension_deadline/2025-03-31/14",
                            ref + "/term_end/2025-04-30/60"], keys
    finally:
        assert d.stop() == 0


def test_ack_and_silence(workdir):
    d = seeded(workdir, "2025-03-30 12:00:00")
    d.start(faketime="@2025-03-31 08:59:50")
    try:
        r = d.ctl("--json", "ack", "HAV-CPDPS", "extension_deadline",
                  "--note", "decision in progress")
        assert json.loads(r.stdout) == {"ref": "HAV-CPDPS", "milestone":
                                        "extension_deadline",
                                        "due": "2025-03-31"}
        r = d.ctl("ack", "HAV-CPDPS", "nonsense")
        assert r.returncode == 1 and "not a milestone kind" in r.stderr
        assert wait_for(lambda: alert_lines(
            d, "HAV-CPDPS/term_end/2025-04-30/30"), timeout=20)
        assert not alert_lines(d, "HAV-CPDPS/extension_deadline/2025-03-31/0")
        assert milestones(d, "HAV-CPDPS")["extension_deadline"]["acked"]
        r = d.ctl("--json", "agenda", "--days", "40")
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert [(a["milestone"], a["due"], a["days_left"], a["acked"])
                for a in rows] == [
            ("extension_deadline", "2025-03-31", 0, True),
            ("term_end", "2025-04-30", 30, False),
            ("coverage_gap", "2025-04-30", 30, False),
            ("expired", "2025-05-01", 31, False)]
        r = d.ctl("--json", "silence", "HAV-CPDPS", "--until", "2025-04-30")
        assert json.loads(r.stdout)["silenced_until"] == "2025-04-30"
        st = d.ctl_json("show", "HAV-CPDPS")
        assert st["silenced_until"] == "2025-04-30"
        assert st["next_alert"] == "2025-05-01T09:00:00+01:00"
    finally:
        assert d.stop() == 0


@pytest.mark.parametrize("csv,row,column,needle", [
    ("B-1,T,2020-01-01,2025-02-30,\n", 3, "end_date",
     "value '2025-02-30': not a date"),
    ("B-1,T,2020-01-01,2025-06-30,2025-01-01\n", 3, "max_end_date",
     "is before end_date"),
    ("B-1,T,2025-06-01,2025-01-31,\n", 3, "end_date", "before start_date"),
    ("A-1,T,2020-01-01,2025-06-30,\n", 3, "ref",
     "value 'A-1': duplicate ref (first on row 2)"),
])
def test_bad_csv_row_refuses_whole_file(daemon, csv, row, column, needle):
    daemon.start()
    text = ("ref,title,start_date,end_date,max_end_date\n"
            "A-1,Good one,2020-01-01,2027-06-30,\n" + csv)
    r = daemon.ctl("import", write(daemon, "bad.csv", text))
    assert r.returncode == 1, r.stdout
    assert ("row %d, column %s" % (row, column)) in r.stderr, r.stderr
    assert needle in r.stderr, r.stderr
    assert daemon.ctl_json("status")["contracts"] == 0


def test_unknown_column_and_existing_ref(daemon):
    daemon.start()
    r = daemon.ctl("import", write(daemon, "u.csv",
                                   "ref,title,end_date,colour\nX,T,"
                                   "2027-01-01,blue\n"))
    assert r.returncode == 1
    assert "row 1, column colour: unknown column: colour" in r.stderr
    import_ok(daemon, "ref,title,end_date\nX,T,2027-01-01\n")
    r = daemon.ctl("--json", "import", write(
        daemon, "v.csv", "ref,title,end_date\nY,T,2027-01-01\n"
        "X,T,2027-01-01\n"))
    err = json.loads(r.stdout)["error"]
    assert err["code"] == "conflict"
    assert "row 3, column ref, value 'X'" in err["message"]
    assert daemon.ctl_json("status")["contracts"] == 1


def test_demo_data_imports(daemon):
    daemon.start()
    r = daemon.ctl("--json", "import",
                   os.path.join(SRCDIR, "etc", "demo-contracts.csv"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["imported"] == 7
    refs = [c["ref"] for c in
            (json.loads(line) for line in
             daemon.ctl("--json", "list").stdout.splitlines())]
    assert "HAV-CPDPS" in refs and "HAV-ASCPF" in refs


def test_bad_requests_do_not_change_anything(daemon):
    daemon.start()
    import_ok(daemon, HEADER + DPS_ROW)
    cases = [
        ({"cmd": "show", "args": {}}, "invalid_argument"),
        ({"cmd": "show", "args": {"ref": "NOPE"}}, "not_found"),
        ({"cmd": "extend", "args": {"ref": "HAV-CPDPS"}},
         "invalid_argument"),
        ({"cmd": "extend", "args": {"ref": "HAV-CPDPS", "months": "8"}},
         "invalid_argument"),
        ({"cmd": "add", "args": {"fields": {"ref": "bad ref!",
                                            "title": "x",
                                            "end_date": "2027-01-01"}}},
         "invalid_argument"),
        ({"cmd": "add", "args": {"fields": {"ref": "HAV-CPDPS",
                                            "title": "x",
                                            "end_date": "2027-01-01"}}},
         "conflict"),
        ({"cmd": "update", "args": {"ref": "HAV-CPDPS",
                                    "fields": {"end_date": "someday"}}},
         "invalid_argument"),
        ({"cmd": "simulate", "args": {"from": "2025-01-01",
                                      "to": "2024-01-01"}},
         "invalid_argument"),
        ({"cmd": "agenda", "args": {"days": -1}}, "invalid_argument"),
        ({"cmd": "silence", "args": {"ref": "HAV-CPDPS",
                                     "until": "soon"}}, "invalid_argument"),
    ]
    for req, code in cases:
        req["v"] = 1
        resp = daemon.request(req)
        assert resp["ok"] is False and resp["error"]["code"] == code, \
            (req, resp)
    show = daemon.ctl_json("show", "HAV-CPDPS")
    assert show["end_date"] == "2025-04-30" and show["title"] == \
        "Complex Placements DPS"


def test_sighup_rearms_with_new_alert_time(workdir):
    d = seeded(workdir, "2025-03-30 12:00:00")
    d.start(faketime="@2025-03-30 12:00:00")
    try:
        assert d.ctl_json("show", "HAV-CPDPS")["next_alert"] == \
            "2025-03-31T09:00:00+01:00"
        text = open(d.conf).read().replace("alert_time = 09:00",
                                           "alert_time = 10:30")
        with open(d.conf, "w") as f:
            f.write(text)
        d.proc.send_signal(__import__("signal").SIGHUP)
        assert d.wait_log("schedule re-evaluated")
        assert d.ctl_json("show", "HAV-CPDPS")["next_alert"] == \
            "2025-03-31T10:30:00+01:00"
        alerts = simulate(d, "2025-03-31", "2025-03-31")
        assert {a["fire_at"] for a in alerts} == {"2025-03-31T10:30:00+01:00"}
    finally:
        assert d.stop() == 0


def test_sighup_with_new_notice_days_moves_the_agenda(workdir):
    # The default notice moves the extension deadline of every contract
    # that gives none: the agenda counts back with the default of now,
    # at once after SIGHUP, after an update and after a restart.  A
    # contract with its own notice keeps its deadline where it was.
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-01 12:00:00")

    def agenda(overdue=False):
        """The window's milestones (or those overdue before it)."""
        r = d.ctl("--json", "agenda", "--days", "60")
        assert r.returncode == 0, r.stderr
        return [(m["ref"], m["title"], m["milestone"], m["due"])
                for m in map(json.loads, r.stdout.splitlines())
                if m["overdue"] == overdue]

    def ext_due():
        return [(ref, due) for ref, _, kind, due in agenda()
                if kind == "extension_deadline"]
    try:
        import_ok(d, "ref,title,end_date,max_end_date,extension_notice_days"
                  "\nDEF-1,Default,2025-04-30,2025-10-31,\n"
                  "OWN-1,Own,2025-04-30,2025-10-31,60\n")
        # Re-procurement should have started 270 days before the end.
        assert agenda(overdue=True) == [
            ("DEF-1", "Default", "procurement_start", "2025-02-03"),
            ("OWN-1", "Own", "procurement_start", "2025-02-03")]
        assert agenda() == [
            ("OWN-1", "Own", "extension_deadline", "2025-03-01"),
            ("DEF-1", "Default", "extension_deadline", "2025-03-31"),
            ("DEF-1", "Default", "term_end", "2025-04-30"),
            ("OWN-1", "Own", "term_end", "2025-04-30")]
        d.write_config(alerts_extra="extension_notice_days = 45")
        d.proc.send_signal(__import__("signal").SIGHUP)
        assert wait_for(lambda: ("DEF-1", "2025-03-16") in ext_due())
        assert ext_due() == [("OWN-1", "2025-03-01"), ("DEF-1", "2025-03-16")]
        assert d.wait_log("schedule re-evaluated")
        assert ext_due() == [("OWN-1", "2025-03-01"), ("DEF-1", "2025-03-16")]
        # An update of its title: the agenda shows the new one, on the
        # deadline of the default of now.
        r = d.ctl("update", "DEF-1", "title=Renamed")
        assert r.returncode == 0, r.stderr
        assert agenda() == [
            ("OWN-1", "Own", "extension_deadline", "2025-03-01"),
            ("DEF-1", "Renamed", "extension_deadline", "2025-03-16"),
            ("DEF-1", "Renamed", "term_end", "2025-04-30"),
            ("OWN-1", "Own", "term_end", "2025-04-30")]
        # Its own notice given: its deadline counts back from it.
        r = d.ctl("update", "DEF-1", "extension_notice_days=10")
        assert r.returncode == 0, r.stderr
        assert agenda() == [
            ("OWN-1", "Own", "extension_deadline", "2025-03-01"),
            ("DEF-1", "Renamed", "extension_deadline", "2025-04-20"),
            ("DEF-1", "Renamed", "term_end", "2025-04-30"),
            ("OWN-1", "Own", "term_end", "2025-04-30")]
        # And taken away: the default of now again.
        r = d.ctl("update", "DEF-1", "extension_notice_days=")
        assert r.returncode == 0, r.stderr
        assert ext_due() == [("OWN-1", "2025-03-01"), ("DEF-1", "2025-03-16")]
    finally:
        assert d.stop() == 0
    # The default changes while the daemon is down: at start it sees that
    # the schedules do not follow it, and re-evaluates; the agenda follows
    # at once.
    d.write_config(alerts_extra="extension_notice_days = 20")
    seen = len(d.logtext())
    d.start(faketime="@2025-03-01 12:00:00")
    try:
        assert ext_due() == [("OWN-1", "2025-03-01"), ("DEF-1", "2025-04-10")]
        assert wait_for(lambda: "schedule re-evaluated" in
                        d.logtext()[seen:])
        assert "may not follow extension_notice_days=20 " in \
            d.logtext()[seen:]
        db = sqlite3.connect(d.db)
        assert db.execute("SELECT * FROM meta ORDER BY name").fetchall() == [
            ("due_defaults", "extension_notice_days=20 "
             "procurement_lead_days=270")]
        db.close()
    finally:
        assert d.stop() == 0
    # As it is now, a start re-evaluates nothing.
    seen = len(d.logtext())
    d.start(faketime="@2025-03-01 12:00:00")
    try:
        assert d.ctl("ping").returncode == 0
        assert "started" in d.logtext()[seen:]
        assert "may not follow" not in d.logtext()[seen:]
    finally:
        assert d.stop() == 0


def poke_wall_clock():
    """Sets the system clock to what it reads (a step of well under a
    millisecond): the kernel tells every TFD_TIMER_CANCEL_ON_SET timerfd,
    as after an NTP step or a resume."""
    now = time.clock_gettime_ns(time.CLOCK_REALTIME)
    time.clock_settime_ns(time.CLOCK_REALTIME, now)


@pytest.mark.skipif(os.geteuid() != 0, reason="setting the clock needs root")
def test_wall_clock_jump_fires_what_became_due(workdir):
    # The daemon's clock reads 08:00, so its timer waits an hour of
    # monotonic time for the 09:00 alerts.  Its wall clock then jumps
    # past 09:00 (the fake clock moves, and the system clock is set, which
    # a suspend/resume or an NTP step also does): the alerts fire at once,
    # not an hour later.
    d = seeded(workdir, "2025-03-30 12:00:00")
    clock = write(d, "faketime", "@2025-03-31 08:00:00\n")
    at_nine = ["HAV-CPDPS/extension_deadline/2025-03-31/0",
               "HAV-CPDPS/term_end/2025-04-30/30",
               "HAV-CPDPS/coverage_gap/2025-04-30/30"]
    seen = len(d.logtext())    # the seeding import's alerts
    d.start(faketime_file=clock)

    def fired(key):
        return [line for line in alert_lines(d, key)
                if d.logtext().find(line, seen) != -1]
    try:
        assert wait_for(lambda: "next wake" in d.logtext()[seen:])
        assert d.ctl_json("status")["next_alert"].startswith(
            "2025-03-31T09:00:00")
        assert not fired("HAV-CPDPS/")
        write(d, "faketime", "@2025-03-31 09:00:01\n")
        poke_wall_clock()
        assert wait_for(lambda: all(fired(k) for k in at_nine),
                        timeout=10), d.logtext()
        assert "the wall clock was set" in d.logtext()[seen:]
        for k in at_nine:
            lines = fired(k)
            assert len(lines) == 1 and "late=no" in lines[0], lines
        # Re-armed for the next alert: term_end/2025-04-30/14.
        assert d.ctl_json("status")["next_alert"].startswith(
            "2025-04-16T09:00:00+01:00")
    finally:
        assert d.stop() == 0


def exchange(d, reqs):
    """Sends every request at once on one connection, then reads as many
    answers."""
    s = d.connect()
    try:
        s.sendall(b"".join(json.dumps({"v": 1, "cmd": "import", "args": a})
                           .encode() + b"\n" for a in reqs))
        buf = b""
        while buf.count(b"\n") < len(reqs):
            chunk = s.recv(65536)
            assert chunk, buf
            buf += chunk
        return [json.loads(line) for line in buf.splitlines()]
    finally:
        s.close()


def test_import_chunks_sent_ahead(daemon):
    daemon.start()
    text = HEADER + DPS_ROW + ASC_ROW
    cut = len(HEADER) + 10
    first, rest = text[:cut], text[cut:]
    # A chunk out of place is refused, the upload is dropped, and the
    # chunks sent after it are refused too: no shorter file is imported.
    ans = exchange(daemon, [
        {"csv": first, "more": True, "offset": 0},
        {"csv": rest[:5], "more": True, "offset": cut + 1},
        {"csv": rest[5:], "more": False, "offset": cut + 5}])
    assert ans[0] == {"v": 1, "ok": True, "result": {"received": cut}}
    assert ans[1]["error"] == {
        "code": "invalid_argument",
        "message": "a chunk at offset %d, but the upload has %d bytes"
                   % (cut + 1, cut)}
    assert ans[2]["error"] == {
        "code": "invalid_argument",
        "message": "a chunk at offset %d, but the upload has 0 bytes"
                   % (cut + 5)}
    assert daemon.ctl_json("status")["contracts"] == 0
    # In place, all sent at once: the answers come in order.
    ans = exchange(daemon, [
        {"csv": first, "more": True, "offset": 0},
        {"csv": rest, "more": False, "offset": cut}])
    assert ans[0]["result"] == {"received": cut}
    assert ans[1]["result"] == import_answer(2, 0)
    ans = exchange(daemon, [{"csv": "x", "offset": -1}])
    assert ans[0]["error"]["code"] == "invalid_argument"


def read_answers(s, n):
    """n answer lines from s, then whether the daemon closed it."""
    buf = b""
    while buf.count(b"\n") < n:
        chunk = s.recv(65536)
        assert chunk, buf
        buf += chunk
    answers = [json.loads(line) for line in buf.splitlines()]
    try:
        s.settimeout(2)
        closed = s.recv(1) == b""
    except socket.timeout:
        closed = False
    return answers, closed


def import_request(nbytes, **extra):
    args = dict(extra, bytes=nbytes)
    return json.dumps({"v": 1, "cmd": "import", "args": args}).encode() + \
        b"\n"


def test_import_as_request_data(daemon):
    """{"bytes": N} and then the file as it is: the answer comes after
    the last byte, and the next request is read after the data."""
    daemon.start()
    text = (HEADER + DPS_ROW + ASC_ROW).encode()
    ping = b'{"v":1,"cmd":"ping"}\n'
    # All in one write: request, data, another request.
    s = daemon.connect()
    s.sendall(import_request(len(text)) + text + ping)
    (imp, pong), closed = read_answers(s, 2)
    s.close()
    assert imp == {"v": 1, "ok": True,
                   "result": import_answer(2, 0)}
    assert pong["ok"] is True and not closed
    assert daemon.ctl_json("show", "HAV-CPDPS")["end_date"] == "2025-04-30"
    # A byte at a time, cutting rows, dates and the line breaks.
    more = ("ref,title,end_date\nB-1,Beta,2031-01-31\r\n"
            "B-2,\"Gamma, \"\"quoted\"\"\",2031-02-28\n").encode()
    s = daemon.connect()
    s.sendall(import_request(len(more)))
    for i in range(len(more)):
        s.sendall(more[i:i + 1])
        if i % 10 == 0:
            time.sleep(0.01)
    (imp,), closed = read_answers(s, 1)
    s.close()
    assert imp["result"] == import_answer(2, 0) and not closed
    assert daemon.ctl_json("show", "B-2")["title"] == 'Gamma, "quoted"'


def test_import_data_refused_whole(daemon):
    daemon.start()
    ping = b'{"v":1,"cmd":"ping"}\n'
    # A bad row early: the rest of the data is read and dropped, the
    # answer names the row, and the connection goes on.
    bad = ("ref,title,end_date\nC-1,One,2031-02-30\n" +
           "".join("C-%d,Row,2031-01-31\n" % i for i in range(2, 5000)))
    s = daemon.connect()
    s.sendall(import_request(len(bad)) + bad.encode() + ping)
    (imp, pong), closed = read_answers(s, 2)
    s.close()
    assert imp["error"] == {
        "code": "invalid_argument",
        "message": "row 2, column end_date, value '2031-02-30': "
                   "not a date (YYYY-MM-DD)"}, imp
    assert pong["ok"] is True and not closed
    assert daemon.ctl_json("status")["contracts"] == 0
    # No data at all: an empty file, refused for its missing header.
    s = daemon.connect()
    s.sendall(import_request(0) + ping)
    (imp, pong), closed = read_answers(s, 2)
    s.close()
    assert imp["error"]["code"] == "invalid_argument", imp
    assert pong["ok"] is True and not closed
    # The client goes away half way: nothing is imported, nothing breaks.
    s = daemon.connect()
    s.sendall(import_request(1000) + b"ref,title,end_date\nD-1,Delta,")
    s.close()
    assert daemon.ctl_json("status")["contracts"] == 0


@pytest.mark.parametrize("args, code", [
    ({"bytes": 512 * 1024 * 1024 + 1}, "too_large"),
    ({"bytes": -1}, "invalid_argument"),
    ({"bytes": "ten"}, "invalid_argument"),
    ({"bytes": 10, "csv": "x"}, "invalid_argument"),
])
def test_import_data_request_refused_closes(daemon, args, code):
    """A refused request whose data will not be read: the answer, then
    the connection ends, since the data would be taken for requests."""
    daemon.start()
    s = daemon.connect()
    line = json.dumps({"v": 1, "cmd": "import", "args": args}).encode()
    s.sendall(line + b"\n" + b'{"v":1,"cmd":"ping"}\n')
    (ans,), closed = read_answers(s, 1)
    s.close()
    assert ans["error"]["code"] == code, ans
    assert closed
    assert daemon.ctl("ping").returncode == 0


def test_contractctl_import_reads_files_pipes_and_stdin(daemon):
    """A regular file is sent as it is read; standard input, a pipe and a
    file of no size are read whole first.  A file too large or missing is
    a usage error, before the daemon is asked anything."""
    daemon.start()
    text = HEADER + "".join("P-%d,Row %d,contract,,2031-01-31,,,,\n" % (i, i)
                            for i in range(3000))
    path = write(daemon, "p.csv", text)
    r = daemon.ctl("--json", "import", path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == import_answer(3000, 0)
    r = daemon.ctl("--json", "import", "-",
                   input=text.replace("P-", "S-"))
    assert json.loads(r.stdout) == import_answer(3000, 0), r.stderr
    # /dev/stdin on a pipe is no regular file: its size is not known.
    r = subprocess.run(
        "cat %s | sed s/P-/Q-/ | %s -s %s --json import /dev/stdin"
        % (path, CONTRACTCTL, daemon.sock), shell=True,
        capture_output=True, text=True, timeout=60)
    assert json.loads(r.stdout) == import_answer(3000, 0), r.stderr
    assert daemon.ctl_json("status")["contracts"] == 9000
    assert daemon.ctl_json("show", "Q-2999")["title"] == "Row 2999"
    big = os.path.join(daemon.dir, "big.csv")
    with open(big, "wb") as f:
        f.truncate(512 * 1024 * 1024 + 1)
    r = daemon.ctl("import", big)
    assert r.returncode == 2
    assert r.stderr.startswith(
        "contractctl: %s: larger than 512 MiB" % big), r.stderr
    r = daemon.ctl("import", big + ".missing")
    assert r.returncode == 2
    assert "No such file or directory" in r.stderr, r.stderr
    # A regular file that says it is empty, as /proc's do, is read to its
    # end: its one line is a header the daemon does not know.
    assert os.stat("/proc/sys/kernel/ostype").st_size == 0
    r = daemon.ctl("import", "/proc/sys/kernel/ostype")
    assert r.returncode == 1
    assert "row 1, column Linux: unknown column: Linux" in r.stderr, r.stderr
    assert daemon.ctl_json("status")["contracts"] == 9000


def test_import_data_of_a_reader_refused_closes(daemon):
    """A peer that may only read announces data: forbidden, then closed,
    and contractctl prints the daemon's answer."""
    daemon.write_config(socket_mode="0666")
    daemon.start()
    path = write(daemon, "r.csv", HEADER + DPS_ROW * 1 +
                 "".join("R-%d,Row,contract,,2031-01-31,,,,,\n" % i
                         for i in range(200000)))
    r = daemon.ctl("import", path, user=65534)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "forbidden" in r.stderr and "may only read" in r.stderr, r.stderr
    assert daemon.ctl_json("status")["contracts"] == 0
    # On the socket: the answer, then the end of the connection, not a
    # bad_request for each line of the data.
    script = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.connect(sys.argv[1]); s.settimeout(10)\n"
        "data = b'ref,title,end_date\\nX-1,One,2031-01-31\\n'\n"
        "s.sendall(b'{\"v\":1,\"cmd\":\"import\",\"args\":"
        "{\"bytes\":%d}}\\n' % len(data) + data)\n"
        "buf = b''\n"
        "while True:\n"
        "    c = s.recv(65536)\n"
        "    if not c: break\n"
        "    buf += c\n"
        "sys.stdout.write(buf.decode())\n")
    raw = subprocess.run(["setpriv", "--reuid", "65534", "--regid", "65534",
                          "--clear-groups", "/usr/bin/python3", "-c", script,
                          daemon.sock], capture_output=True, text=True,
                         timeout=30)
    assert raw.returncode == 0, raw.stderr
    answers = [json.loads(line) for line in raw.stdout.splitlines()]
    assert [a["error"]["code"] for a in answers] == ["forbidden"], answers


def test_agenda_and_simulate_with_no_contracts(daemon):
    daemon.start()
    a = daemon.request({"v": 1, "cmd": "agenda", "args": {"days": 30}})
    assert a["ok"] is True and a["result"]["milestones"] == [], a
    assert a["result"]["truncated"] is False
    s = daemon.request({"v": 1, "cmd": "simulate",
                        "args": {"from": "2026-01-01", "to": "2026-12-31"}})
    assert s["ok"] is True and s["result"]["alerts"] == [], s
    assert daemon.ctl("agenda").returncode == 0


def test_contractctl_says_when_simulate_was_cut_short(daemon):
    """Past 200000 alerts the daemon stops and says truncated: contractctl
    prints what came and says so on stderr, in both forms, exit 0."""
    daemon.start()
    n = 30000
    rows = ["ref,title,end_date,max_end_date\n"] + [
        "CUT-%05d,Cut %d,2031-03-31,2032-03-31\n" % (i, i) for i in range(n)]
    import_ok(daemon, "".join(rows))
    note = ("contractctl: simulate: the answer was cut short at the "
            "daemon's limit of rows: ask for a shorter period\n")
    args = ("simulate", "--from", "2030-01-01", "--to", "2032-12-31")
    r = daemon.ctl("--json", *args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == note
    assert len(r.stdout.splitlines()) == 200000
    r = daemon.ctl(*args)
    assert r.returncode == 0 and r.stderr == note
    assert len(r.stdout.splitlines()) == 200001     # and the header
    # A period that fits says nothing.
    r = daemon.ctl("--json", "simulate", "--from", "2031-03-31", "--to",
                   "2031-03-31")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert len(r.stdout.splitlines()) == n


def test_agenda_cut_short_keeps_the_earliest_dates(daemon):
    """An agenda past 200000 rows keeps the earliest dates of every kind,
    the deadlines counted back from the default notice and lead as much
    as the ends: rows are taken in the order of their dates, and those
    left out are the latest."""
    daemon.start(faketime="@2026-01-01 12:00:00")
    first = datetime.date(2026, 7, 1)
    day = datetime.timedelta(days=1)
    n = 51000
    rows = ["ref,title,end_date,max_end_date\n"]
    want = set()
    for i in range(n):
        end = first + (i % 1500) * day
        top = end + 100 * day
        rows.append("CUT-%05d,Cut,%s,%s\n" % (i, end, top))
        ref = "CUT-%05d" % i
        for kind, due in (("procurement_start", top - 270 * day),
                          ("extension_deadline", end - 30 * day),
                          ("term_end", end), ("expired", end + day)):
            want.add((due.isoformat(), kind, ref))
    import_ok(daemon, "".join(rows))
    r = daemon.ctl("--json", "agenda", "--days", "3650")
    assert r.returncode == 0, r.stderr
    assert "cut short" in r.stderr
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(got) == 200000
    got = {(m["due"], m["milestone"], m["ref"]) for m in got}
    assert got <= want
    left = want - got
    assert len(left) == 4 * n - 200000
    # A day's expiry comes with its end: one day of overlap at most.
    last = datetime.date.fromisoformat(max(g[0] for g in got))
    assert last <= datetime.date.fromisoformat(min(w[0] for w in left)) + day
    assert {"extension_deadline", "term_end", "expired"} <= \
        {w[1] for w in left}


def test_contractctl_output_that_cannot_be_written_fails(daemon):
    """An answer that cannot be written to standard output is an error,
    exit 1, in every way contractctl prints one."""
    daemon.start()
    import_ok(daemon, HEADER + DPS_ROW + ASC_ROW)
    for args in (("list",), ("--json", "list"), ("show", "HAV-CPDPS"),
                 ("--json", "agenda", "--days", "3650"),
                 ("agenda", "--days", "3650"), ("ping",)):
        with open("/dev/full", "w") as full:
            r = subprocess.run([CONTRACTCTL, "-s", daemon.sock] + list(args),
                               stdout=full, stderr=subprocess.PIPE,
                               text=True, timeout=30)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr == ("contractctl: standard output: No space left "
                            "on device\n"), (args, r.stderr)
    # An error answer keeps its own exit code.
    with open("/dev/full", "w") as full:
        r = subprocess.run([CONTRACTCTL, "-s", daemon.sock, "--json", "show",
                            "NONE"], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=30)
    assert r.returncode == 1
    assert "not_found" in r.stderr and "standard output" in r.stderr


def test_bad_request_announcing_data_closes(daemon):
    """A request line that is not a valid request but announces data:
    the data would be read as requests, so the connection ends."""
    daemon.start()
    add = (b'{"v":1,"cmd":"add","args":{"fields":{"ref":"SNEAK",'
           b'"title":"x","end_date":"2031-01-31"}}}\n')
    line = json.dumps({"v": 2, "cmd": "import",
                       "args": {"bytes": len(add)}}).encode() + b"\n"
    s = daemon.connect()
    s.sendall(line + add)
    (ans,), closed = read_answers(s, 1)
    s.close()
    assert ans["error"]["code"] == "bad_request", ans
    assert closed
    assert daemon.ctl("show", "SNEAK").returncode == 1


def test_an_import_in_progress_is_not_evicted(workdir):
    """At max_connections the longest idle connection makes room, but
    not one in the middle of sending an import."""
    d = Daemon(workdir)
    d.write_config(daemon_extra="max_connections = 3")
    d.start()
    try:
        text = (HEADER + DPS_ROW + ASC_ROW).encode()
        up = d.connect()
        up.sendall(import_request(len(text)) + text[:20])
        time.sleep(0.3)
        others = []
        for _ in range(3):
            o = d.connect()
            o.sendall(b'{"v":1,"cmd":"ping"}\n')
            assert json.loads(readline(o))["ok"] is True
            others.append(o)
        # The third made room by closing the first of them, idle.
        try:
            assert others[0].recv(1) == b""
        except ConnectionResetError:
            pass
        up.sendall(text[20:])
        (imp,), closed = read_answers(up, 1)
        assert imp.get("result") == import_answer(2, 0), imp
        for o in others + [up]:
            o.close()
    finally:
        assert d.stop() == 0


def test_deliveries_at_once_leave_the_loop_to_clients(daemon):
    """An import that fires twenty thousand alerts to the log
    channel, which delivers each at once: its answer does not wait for
    the outbox to drain, and others are answered meanwhile.  Each
    contract ends in ten days: its term_end alert of 14 days fires, and
    its procurement start, 270 days before, is overdue."""
    daemon.start()
    today = datetime.date.today()
    end = (today + datetime.timedelta(days=10)).isoformat()
    rows = ["ref,title,end_date\n"]
    rows += ["N-%05d,Now %d,%s\n" % (i, i, end) for i in range(10000)]
    r = import_ok(daemon, "".join(rows))
    assert r == import_answer(10000, 20000), r
    out = daemon.ctl_json("status")["outbox"]
    assert out["pending"] > 0, out      # answered before the drain
    t0 = time.monotonic()
    assert daemon.ctl("ping").returncode == 0
    assert time.monotonic() - t0 < 2.0 * SLOW
    assert wait_for(lambda: daemon.ctl_json("status")["outbox"]["pending"]
                    == 0, timeout=120)
    out = daemon.ctl_json("status")["outbox"]
    assert out["delivered"] == r["fired"], out


def test_large_import_with_wide_characters_arrives_whole(daemon):
    # Titles and notes of 2-, 3- and 4-byte characters, quotes and
    # backslashes, escaped up to twelve bytes a character: chunk boundaries
    # must fall between characters and keep each line under 64 KiB.
    daemon.start()
    wide = "é–😀\"\\"
    rows = ["ref,title,end_date,notes\n"]
    for i in range(3000):
        rows.append('W-%04d,"%s",2030-01-31,"line one, ""two"" %s"\n'
                    % (i, (wide * (1 + i % 40)).replace('"', '""'),
                       "😀" * (i % 7)))
    r = import_ok(daemon, "".join(rows))
    assert r == import_answer(3000, 0)
    for i in (0, 1234, 2999):
        c = daemon.ctl_json("show", "W-%04d" % i)
        assert c["title"] == wide * (1 + i % 40)
        assert c["notes"] == 'line one, "two" ' + "😀" * (i % 7)


def coverage_pairs(d):
    """The services table: service -> [(start, end)], ISO dates (start
    None when the contract gives none), one pair a contract, sorted."""
    db = sqlite3.connect(d.db)
    try:
        cols = [r[1] for r in db.execute("PRAGMA table_info(services)")]
        # A row names its contract by ref, or by the contract's rowid.
        rows = db.execute(
            "SELECT service, ref, start_date, end_date FROM services"
            if "ref" in cols else
            "SELECT s.service, c.ref, s.start_date, s.end_date FROM "
            "services s JOIN contracts c ON c.id = s.contract").fetchall()
        assert len(rows) == db.execute(
            "SELECT count(*) FROM services").fetchone()[0]
    finally:
        db.close()
    out, seen = {}, set()
    for svc, ref, start, end in rows:
        assert (svc, ref) not in seen, (svc, ref)
        seen.add((svc, ref))
        out.setdefault(svc, []).append((start or None, end))
    for pairs in out.values():
        pairs.sort(key=lambda p: (p[1], p[0] or ""))
    return out


def test_coverage_follows_updates_and_extensions(workdir):
    # The services table keeps each service's (start, end) pairs, one
    # a contract however often its list names the service: an update
    # of a contract's services or dates moves its pairs, a refused
    # import leaves them, and they outlive a restart.
    dps = ("2020-06-01", "2025-04-30")
    asc = ("2026-01-01", "2029-12-31")
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-20 12:00:00")
    try:
        import_ok(d, HEADER + DPS_ROW + ASC_ROW)
        assert coverage_pairs(d) == {
            "supported-living:LD": [dps, asc],
            "supported-living:MH": [dps, asc],
            "supported-living:children": [dps],
            "residential:LD": [dps, asc],
            "nursing:LD": [dps, asc]}
        r = d.ctl("update", "HAV-CPDPS",
                  "services= nursing:LD ;residential:LD;;nursing:LD")
        assert r.returncode == 0, r.stderr
        want = {"supported-living:LD": [asc], "supported-living:MH": [asc],
                "residential:LD": [dps, asc], "nursing:LD": [dps, asc]}
        assert coverage_pairs(d) == want
        r = d.ctl("extend", "HAV-CPDPS", "--months", "8")
        assert r.returncode == 0, r.stderr
        ext = ("2020-06-01", "2025-12-31")
        want = {"supported-living:LD": [asc], "supported-living:MH": [asc],
                "residential:LD": [ext, asc], "nursing:LD": [ext, asc]}
        assert coverage_pairs(d) == want
        # A refused import (its last row repeats a ref) changes nothing,
        # in the table or in what the daemon answers from memory.
        r = d.ctl("import", write(d, "bad.csv", HEADER +
                  "NEW-1,New,contract,2025-01-01,2025-06-30,,"
                  "\"home-care:LD;nursing:LD\",,\n" + ASC_ROW))
        assert r.returncode == 1
        assert coverage_pairs(d) == want
        # The successor starts the day after the extended end: no gap.
        show = d.ctl_json("show", "HAV-CPDPS")
        assert show["end_date"] == "2025-12-31"
        assert [m for m in show["milestones"]
                if m["milestone"] == "coverage_gap"] == []
    finally:
        assert d.stop() == 0
    d.start(faketime="@2025-03-20 12:00:00")
    try:
        assert coverage_pairs(d) == want
        # A day later, it leaves 2026-01-01 uncovered.
        r = d.ctl("update", "HAV-ASCPF", "start_date=2026-01-02")
        assert r.returncode == 0, r.stderr
        later = ("2026-01-02", "2029-12-31")
        assert coverage_pairs(d) == {
            "supported-living:LD": [later], "supported-living:MH": [later],
            "residential:LD": [ext, later], "nursing:LD": [ext, later]}
        show = d.ctl_json("show", "HAV-CPDPS")
        assert [m["uncovered"] for m in show["milestones"]
                if m["milestone"] == "coverage_gap"] == [
                    "nursing:LD;residential:LD"]
    finally:
        assert d.stop() == 0


def test_agenda_json_is_exact_for_awkward_titles(daemon):
    # The agenda is written as JSON text by hand and contractctl prints
    # its rows as they came: quotes, backslashes, brackets and characters
    # beyond ASCII must survive both, and match the daemon's answer.
    daemon.start()
    title = 'Care "A" \\ [lot 1], {north} – Ω 😀'
    end = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
    text = ("ref,title,end_date,max_end_date,services\n"
            'AW-1,"%s",%s,%s,\nAW-2,Plain,%s,%s,\n'
            % (title.replace('"', '""'), end, end, end, end))
    import_ok(daemon, text)
    out = daemon.ctl("--json", "agenda", "--days", "30")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    direct = daemon.request({"v": 1, "cmd": "agenda", "args": {"days": 30}})
    assert rows == direct["result"]["milestones"]
    assert direct["result"]["days"] == 30
    assert direct["result"]["truncated"] is False
    # Overdue first: re-procurement should have started 270 days before.
    proc = (datetime.date.fromisoformat(end) -
            datetime.timedelta(days=270)).isoformat()
    assert [(r["ref"], r["title"], r["milestone"], r["due"], r["acked"],
             r["overdue"]) for r in rows] == [
        ("AW-1", title, "procurement_start", proc, False, True),
        ("AW-2", "Plain", "procurement_start", proc, False, True),
        ("AW-1", title, "term_end", end, False, False),
        ("AW-2", "Plain", "term_end", end, False, False),
        ("AW-1", title, "expired", rows[4]["due"], False, False),
        ("AW-2", "Plain", "expired", rows[4]["due"], False, False)]
    assert rows[0]["days_left"] == -250
    assert rows[2]["days_left"] == 20
    human = daemon.ctl("agenda", "--days", "30")
    assert human.returncode == 0 and title in human.stdout


def contract_indexes(d):
    """The indexes on contracts, as sqlite_schema has them: name -> SQL
    (the UNIQUE constraint's own index, which has no SQL, left out)."""
    db = sqlite3.connect(d.db)
    try:
        return dict(db.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
            "tbl_name = 'contracts' AND sql IS NOT NULL ORDER BY name"))
    finally:
        db.close()


def test_large_import_refused_at_its_last_row_leaves_nothing(workdir):
    # An import of 25000 rows whose last row repeats the ref of a stored
    # contract is refused whole: no contract, no agenda row and no
    # change to the indexes stays.  The same rows without it import.
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-03-20 12:00:00")

    def agenda():
        r = d.ctl("--json", "agenda", "--days", "20")
        assert r.returncode == 0, r.stderr
        return [(m["ref"], m["milestone"], m["due"])
                for m in map(json.loads, r.stdout.splitlines())]
    try:
        import_ok(d, HEADER + DPS_ROW)
        indexes = contract_indexes(d)
        assert {"contracts_next_fire", "contracts_end",
                "contracts_max_end"} <= set(indexes), indexes
        before = agenda()
        assert before == [("HAV-CPDPS", "extension_deadline", "2025-03-31")]
        n = 25000
        rows = ["ref,title,end_date,max_end_date,services\n"]
        rows += ["BULK-%05d,Bulk %d,2025-04-%02d,2025-10-31,residential:LD\n"
                 % (i, i, 1 + i % 30) for i in range(n)]
        rows.append("HAV-CPDPS,Again,2025-04-30,,\n")
        r = d.ctl("import", write(d, "dup.csv", "".join(rows)))
        assert r.returncode == 1
        assert "row %d, column ref, value 'HAV-CPDPS'" % (n + 2) in r.stderr
        assert d.ctl_json("status")["contracts"] == 1
        assert agenda() == before
        assert contract_indexes(d) == indexes
        assert d.ctl("show", "BULK-00000").returncode == 1
        r = import_ok(d, "".join(rows[:-1]), name="ok.csv")
        assert r["imported"] == n
        assert d.ctl_json("status")["contracts"] == n + 1
        assert contract_indexes(d) == indexes
        # From 2025-03-20 to 2025-04-09: the ends of April 1 to 9.
        due = agenda()
        ends = sorted(ref for ref, kind, _ in due if kind == "term_end")
        assert ends == ["BULK-%05d" % i for i in range(n) if i % 30 < 9]
        assert len(ends) == 7506
        assert ("BULK-24998", "term_end", "2025-04-09") in due
        assert ("BULK-24999", "term_end", "2025-04-10") not in due
        assert d.ctl_json("show", "BULK-24999")["end_date"] == "2025-04-10"
    finally:
        assert d.stop() == 0


def schema_1():
    """Migration 1's SQL, as daemon/store-schema.c has it."""
    with open(os.path.join(SRCDIR, "daemon", "store-schema.c")) as f:
        src = f.read()
    body = src.split("/* 1: contracts", 1)[1].split("/*", 1)[0]
    return "".join(part.split('"')[1] for part in body.split("\n")
                   if part.strip().startswith('"'))


def schema_of(path):
    """A database's tables and indexes: (type, name) -> SQL."""
    db = sqlite3.connect(path)
    try:
        return {(t, n): sql for t, n, sql in db.execute(
            "SELECT type, name, sql FROM sqlite_schema WHERE type IN "
            "('table', 'index') AND sql IS NOT NULL")}
    finally:
        db.close()


def cols_of(db, table):
    return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]


def test_database_of_schema_1_is_migrated(workdir):
    # A database made by the first schema, with contracts, their services
    # and a dead delivery, comes through migrations 2 to 9 whole, to the
    # schema of a new database.
    new = Daemon(os.path.join(workdir, "new"))
    os.mkdir(new.dir)
    new.write_config()
    new.start()
    assert new.stop() == 0
    d = Daemon(workdir)
    d.write_config()
    db = sqlite3.connect(d.db)
    db.executescript(schema_1())
    db.execute(
        "INSERT INTO contracts (ref, title, end_date, max_end_date, "
        "services, created, updated, horizon, next_fire) VALUES "
        "('OLD-1', 'Old contract', '2030-06-30', '2030-06-30', "
        "'residential:LD', 0, 0, 0, NULL)")
    db.execute("INSERT INTO services VALUES "
               "('residential:LD', '2030-06-30', 'OLD-1', NULL)")
    db.execute(
        "INSERT INTO contracts (ref, title, start_date, end_date, "
        "max_end_date, services, created, updated, horizon, next_fire) "
        "VALUES ('OLD-2', 'Old two', '2020-01-01', '2030-01-31', "
        "'2030-01-31', 'home-care:LD', 0, 0, 0, NULL)")
    db.execute("INSERT INTO services VALUES "
               "('home-care:LD', '2030-01-31', 'OLD-2', '2020-01-01')")
    db.execute(
        "INSERT INTO deliveries (key, alert_key, channel, state, "
        "next_attempt, created, payload) VALUES ('k/log', 'k', 'log', "
        "'dead', 0, 1, '{\"x\":1}')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    d.start()
    try:
        for v in range(2, 13):
            assert "schema migrated to version %d" % v in d.logtext()
        assert "schema migrated to version 13" not in d.logtext()
        assert d.ctl_json("show", "OLD-1")["title"] == "Old contract"
        out = d.ctl("--json", "outbox", "--state", "dead")
        assert [json.loads(line)["key"] for line in
                out.stdout.splitlines()] == ["k/log"]
        # Migration 9 made the services table again from the contracts'
        # own lists and dates.
        assert coverage_pairs(d) == {
            "residential:LD": [(None, "2030-06-30")],
            "home-care:LD": [("2020-01-01", "2030-01-31")]}
        db = sqlite3.connect(d.db)
        idx = {r[0]: r[1] for r in db.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
            "AND sql IS NOT NULL")}
        tables = sorted(r[0] for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table'"))
        assert db.execute("PRAGMA user_version").fetchone() == (12,)
        # Migration 11: contracts closed early, and their closes.
        assert cols_of(db, "contracts")[-2:] == ["closed_on",
                                                 "closed_reason"]
        assert cols_of(db, "closures") == [
            "id", "ref", "old_end", "closed_on", "reason", "recorded_at",
            "uid", "user"]
        # Migration 12: contracts in owner order, for the calendars.
        assert "contracts_owner_ref" in contract_indexes(d)
        # Migration 10: acknowledgements are rows, the first of a
        # milestone being the one that holds its alerts.
        assert [r[1] for r in db.execute("PRAGMA table_info(acks)")][:2] \
            == ["id", "ref"]
        # Migration 9: a rowid table, no derived due dates in the rows.
        cols = [r[1] for r in db.execute("PRAGMA table_info(contracts)")]
        assert cols[:2] == ["id", "ref"]
        assert "ext_due" not in cols and "proc_due" not in cols
        assert "next_fire" in cols
        assert db.execute("SELECT ref FROM contracts ORDER BY id").fetchall() \
            == [("OLD-1",), ("OLD-2",)]
        db.close()
        assert tables == ["acks", "alerts", "audit", "closures", "contracts",
                          "deliveries", "extensions", "meta", "services"]
        # The tables and indexes of a new database, no more, no less.
        assert schema_of(d.db) == schema_of(new.db)
        for name in ("contracts_next_fire", "contracts_end",
                     "contracts_max_end", "contracts_ext_own",
                     "contracts_proc_own", "deliveries_due", "deliveries_next",
                     "deliveries_inflight", "extensions_ref",
                     "contracts_owner", "closures_ref", "audit_at",
                     "audit_ref"):
            assert name in idx, sorted(idx)
        for gone in ("services_ref", "contracts_ext_due",
                     "contracts_proc_due", "alerts_ref"):
            assert gone not in idx
        # Migration 5: the dispatcher's next deliveries, in its order.
        assert "(next_attempt, key) WHERE state IN ('pending', 'failed') " \
            "AND inflight = 0" in idx["deliveries_due"]
        # Migration 9: coverage is the services table's own key.
        db = sqlite3.connect(d.db)
        sql = db.execute("SELECT sql FROM sqlite_schema WHERE name = "
                         "'services'").fetchone()[0]
        db.close()
        assert "PRIMARY KEY (service, end_date, start_date, contract)" in sql
        # Both procurement starts follow the default lead, counted back
        # from the end.  The store did not say which defaults the
        # schedules follow, so every contract is re-evaluated.
        assert d.wait_log("schedule re-evaluated")
        assert "may not follow extension_notice_days=30 " \
            "procurement_lead_days=270" in d.logtext()
        due = [json.loads(line) for line in d.ctl(
            "--json", "agenda", "--days", "3650").stdout.splitlines()]
        assert [(m["ref"], m["milestone"], m["due"]) for m in due
                if m["milestone"] in ("term_end", "procurement_start")] == [
                    ("OLD-2", "procurement_start", "2029-05-06"),
                    ("OLD-1", "procurement_start", "2029-10-03"),
                    ("OLD-2", "term_end", "2030-01-31"),
                    ("OLD-1", "term_end", "2030-06-30")]
        # OLD-2 ends 2030-01-31 and nothing else has home-care:LD from
        # 2030-02-01: a gap; OLD-1's residential:LD has no start.
        show = d.ctl_json("show", "OLD-2")
        assert [m["uncovered"] for m in show["milestones"]
                if m["milestone"] == "coverage_gap"] == ["home-care:LD"]
    finally:
        assert d.stop() == 0


def wal_frames(path):
    """The frames of the WAL's current generation: those after its header
    that carry its salts (a reset log starts again at the file's head,
    with new salts, over the frames of the one before)."""
    with open(path, "rb") as f:
        head = f.read(32)
        assert len(head) == 32 and struct.unpack(">I", head[:4])[0] in \
            (0x377f0682, 0x377f0683), head
        page, salts, n = struct.unpack(">I", head[8:12])[0], head[16:24], 0
        while True:
            frame = f.read(24)
            if len(frame) < 24 or frame[8:16] != salts:
                return n
            n += 1
            f.seek(page, 1)


def test_large_import_wal_is_checkpointed_and_restarted(daemon):
    # A large import leaves over a thousand pages (16 KiB each) in the
    # WAL.  They are copied into the database without a checkpoint from
    # outside, the daemon answering all along, and the log starts again
    # at its head: a later small change is all the log holds.
    daemon.start()
    wal = daemon.db + "-wal"
    n = 25000
    notes = "n" * 700
    rows = ["ref,title,end_date,notes\n"] + [
        "WAL-%05d,Contract %d,2031-01-31,%s\n" % (i, i, notes)
        for i in range(n)]
    assert import_ok(daemon, "".join(rows)) == import_answer(n, 0)
    assert daemon.ping_ok()
    assert wal_frames(wal) >= 1000
    changes = []

    def small_change_alone_in_the_log():
        assert daemon.ping_ok()
        r = daemon.ctl("update", "WAL-00001",
                       "title=Changed %d" % len(changes))
        assert r.returncode == 0, r.stderr
        changes.append(r)
        return wal_frames(wal) < 20
    assert wait_for(small_change_alone_in_the_log, timeout=20, step=0.2), \
        (wal_frames(wal), daemon.logtext()[-2000:])
    assert os.path.getsize(wal) <= 64 << 20     # journal_size_limit
    # The database file alone, without its WAL, holds the import.
    copy = os.path.join(daemon.dir, "copy.db")
    with open(daemon.db, "rb") as src, open(copy, "wb") as dst:
        dst.write(src.read())
    db = sqlite3.connect(copy)
    try:
        assert db.execute("SELECT count(*), min(ref), max(ref), "
                          "min(notes = ?), max(length(notes)) FROM "
                          "contracts", (notes,)).fetchone() == (
                              n, "WAL-00000", "WAL-24999", 1, 700)
    finally:
        db.close()
    assert daemon.ctl_json("status")["contracts"] == n
    show = daemon.ctl_json("show", "WAL-00001")
    assert (show["title"], show["notes"]) == (
        "Changed %d" % (len(changes) - 1), notes)
    assert daemon.ctl_json("show", "WAL-24999")["notes"] == notes
    assert daemon.ping_ok()
