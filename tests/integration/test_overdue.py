"""Nothing overdue is silent (DESIGN section 7): a deadline that has passed
but still matters is alerted once, listed first, counted and cleared by an
acknowledgement; alerts of one instant are one; a successor counts once it
exists; a second acknowledgement keeps the first.

The seed's case: the Complex Placements DPS (term to 30 April 2025,
extension decision due 31 March) imported on Saturday 5 April 2025."""
import json

from conftest import Daemon, wait_for
from test_engine import DPS_ROW, HEADER, alert_lines, import_answer, \
    import_ok, simulate

EXT = "HAV-CPDPS/extension_deadline/2025-03-31/0"
TERM = "HAV-CPDPS/term_end/2025-04-30/30"
GAP = "HAV-CPDPS/coverage_gap/2025-04-30/30"


def agenda(d, days=30):
    r = d.ctl("--json", "agenda", "--days", days)
    assert r.returncode == 0, r.stderr
    return [(m["ref"], m["milestone"], m["due"], m["days_left"],
             m["overdue"]) for m in map(json.loads, r.stdout.splitlines())]


def next_of(d, ref):
    r = d.ctl("--json", "list")
    assert r.returncode == 0, r.stderr
    for c in map(json.loads, r.stdout.splitlines()):
        if c["ref"] == ref:
            m = c["next_milestone"]
            return (m["milestone"], m["due"], m["days_left"], m["overdue"])
    raise AssertionError("%s not listed" % ref)


def test_seed_imported_after_its_extension_deadline(workdir):
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-04-05 12:00:00")
    try:
        assert import_ok(d, HEADER + DPS_ROW) == import_answer(1, 3)
        assert wait_for(lambda: alert_lines(d, EXT) and
                        alert_lines(d, TERM) and alert_lines(d, GAP))
        ext = alert_lines(d, EXT)
        assert len(ext) == 1, ext
        assert "due=2025-03-31 days_left=-5 late=yes overdue_days=5" in \
            ext[0]
        term = alert_lines(d, TERM)
        assert len(term) == 1, term
        assert "due=2025-04-30 days_left=25 late=yes" in term[0]
        assert "overdue_days" not in term[0]
        # Only the most recent alert of each milestone.
        assert len(alert_lines(d, "HAV-CPDPS/")) == 3
        # Listed first, as the contract's next, counted.
        rows = agenda(d)
        assert rows[0] == ("HAV-CPDPS", "extension_deadline", "2025-03-31",
                           -5, True)
        assert [r for r in rows if r[4]] == rows[:1]
        assert ("HAV-CPDPS", "term_end", "2025-04-30", 25, False) in rows
        assert next_of(d, "HAV-CPDPS") == ("extension_deadline",
                                           "2025-03-31", -5, True)
        assert d.ctl_json("status")["overdue"] == 1
        shown = {m["milestone"]: (m["days_left"], m["overdue"])
                 for m in d.ctl_json("show", "HAV-CPDPS")["milestones"]}
        assert shown["extension_deadline"] == (-5, True)
        assert shown["term_end"] == (25, False)
        human = d.ctl("agenda", "--days", "30")
        assert "extension_deadline (OVERDUE)" in human.stdout, human.stdout
        assert "overdue    1 milestone\n" in d.ctl("status").stdout
    finally:
        assert d.stop() == 0
    # A restart sends neither again.
    seen = len(alert_lines(d, "HAV-CPDPS/"))
    d.start(faketime="@2025-04-05 12:10:00")
    try:
        assert d.wait_log("next wake", count=2)
        assert len(alert_lines(d, "HAV-CPDPS/")) == seen
        r = d.ctl("ack", "HAV-CPDPS", "extension_deadline",
                  "--note", "extended late: see the decision record")
        assert r.returncode == 0, r.stderr
        assert all(not r[4] for r in agenda(d))
        assert ("HAV-CPDPS", "extension_deadline", "2025-03-31", -5,
                False) not in agenda(d)
        assert next_of(d, "HAV-CPDPS") == ("term_end", "2025-04-30", 25,
                                           False)
        assert d.ctl_json("status")["overdue"] == 0
    finally:
        assert d.stop() == 0


def test_imported_after_its_end(workdir):
    """200 days after its end nothing is left to say; 10 days after, that
    it has expired, once."""
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-06-10 12:00:00")
    try:
        r = import_ok(d, "ref,title,end_date\nOLD,Long gone,2024-11-22\n"
                      "LATE,Just ended,2025-05-31\n")
        assert r == import_answer(2, 1), r
        key = "LATE/expired/2025-06-01/0"
        assert wait_for(lambda: alert_lines(d, key))
        assert "days_left=-9 late=yes overdue_days=9" in \
            alert_lines(d, key)[0]
        assert alert_lines(d, "OLD/") == []
        assert len(alert_lines(d, "LATE/")) == 1
        assert agenda(d) == [("LATE", "expired", "2025-06-01", -9, True)]
        assert d.ctl_json("status")["overdue"] == 1
    finally:
        assert d.stop() == 0


def test_offsets_on_one_instant_are_one_alert(workdir):
    """Offsets 1 and 0 of a Sunday both fall on the Friday before."""
    d = Daemon(workdir)
    d.write_config(alerts_extra="term_end = 7,1,0\nprocurement_start =\n")
    d.start(faketime="@2025-08-20 12:00:00")
    try:
        import_ok(d, "ref,title,end_date\nSUN,Ends on a Sunday,2025-08-31\n")
        got = [(a["fire_at"], a["milestone"], a["offset_days"])
               for a in simulate(d, "2025-08-22", "2025-08-29")]
        assert got == [
            ("2025-08-22T09:00:00+01:00", "term_end", 7),
            ("2025-08-29T09:00:00+01:00", "term_end", 0)]
    finally:
        assert d.stop() == 0
    d.start(faketime="@2025-08-29 10:00:00")
    try:
        assert wait_for(lambda: alert_lines(d, "SUN/term_end/2025-08-31/0"))
        assert alert_lines(d, "SUN/term_end/2025-08-31/1") == []
        hist = d.ctl_json("history", "SUN")
        state = {a["key"]: a["state"] for a in hist["alerts"]}
        assert state["SUN/term_end/2025-08-31/0"] == "fired"
        assert state["SUN/term_end/2025-08-31/1"] == "merged"
    finally:
        assert d.stop() == 0


def test_successor_counts_once_it_exists(workdir):
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2026-03-02 12:00:00")
    try:
        r = d.ctl("add", "ref=HAV-OLD", "title=Home care",
                  "end_date=2026-12-31", "successor_ref=HAV-NOPE")
        assert r.returncode == 0, r.stderr
        assert r.stderr == ("warning: HAV-NOPE is not a contract yet: "
                            "procurement alerts stay until it is\n")
        s = d.ctl_json("show", "HAV-OLD")
        assert "procurement_start" in [m["milestone"]
                                       for m in s["milestones"]]
        assert s["warnings"] == ["HAV-NOPE is not a contract yet: "
                                 "procurement alerts stay until it is"]
        assert ("HAV-OLD", "procurement_start", "2026-04-05", 34, False) \
            in agenda(d, 60)
        # An import names what it holds that waits for a successor.
        r = import_ok(d, "ref,title,end_date,successor_ref\n"
                      "HAV-NOPE,Home care,2029-12-31,HAV-LATER\n"
                      "HAV-X,Respite,2029-12-31,HAV-OLD\n")
        assert r["warnings"] == ["HAV-NOPE: HAV-LATER is not a contract "
                                 "yet: procurement alerts stay until it is"]
        s = d.ctl_json("show", "HAV-OLD")
        assert "procurement_start" not in [m["milestone"]
                                           for m in s["milestones"]]
        assert s["warnings"] == []
        assert [r for r in agenda(d, 60) if r[0] == "HAV-OLD" and
                r[1] == "procurement_start"] == []
    finally:
        assert d.stop() == 0


def test_second_ack_keeps_the_first(daemon):
    daemon.start(faketime="@2026-03-02 12:00:00")
    import_ok(daemon, "ref,title,end_date\nA-1,Advocacy,2026-06-30\n")
    r = daemon.ctl("ack", "A-1", "term_end", "--note", "first word")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "acknowledged A-1 term_end due 2026-06-30\n"
    res = daemon.request({"v": 1, "cmd": "ack", "args": {
        "ref": "A-1", "kind": "term_end", "note": "second word"}})
    assert res["ok"], res
    first = res["result"]["already"]
    assert (first["user"], first["note"]) == ("root", "first word")
    assert res["result"]["note_added"] is True
    r = daemon.ctl("ack", "A-1", "term_end")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("A-1 term_end due 2026-06-30: already acknowledged "
                        "on %s by root; nothing changed\n" % first["at"])
    acks = daemon.ctl_json("history", "A-1")["acks"]
    assert [(a["milestone"], a["due"], a["note"], a["added_note"])
            for a in acks] == [
        ("term_end", "2026-06-30", "first word", False),
        ("term_end", "2026-06-30", "second word", True)]
    shown = {m["milestone"]: m["acked"]
             for m in daemon.ctl_json("show", "A-1")["milestones"]}
    assert shown["term_end"] is True


def test_update_into_the_past_fires_once(workdir):
    """An update that puts the extension deadline five days back fires it
    at once, overdue; a later update that leaves it where it is does not
    send it again."""
    d = Daemon(workdir)
    d.write_config(alerts_extra="term_end =\nprocurement_start =\n")
    d.start(faketime="@2025-04-05 12:00:00")
    try:
        import_ok(d, "ref,title,end_date,max_end_date\n"
                  "U-1,Day care,2025-09-30,2026-09-30\n")
        assert alert_lines(d, "U-1/") == []
        r = d.ctl("update", "U-1", "end_date=2025-04-30")
        assert r.returncode == 0, r.stderr
        key = "U-1/extension_deadline/2025-03-31/0"
        assert wait_for(lambda: alert_lines(d, key))
        assert "overdue_days=5" in alert_lines(d, key)[0]
        r = d.ctl("update", "U-1", "title=Day care services")
        assert r.returncode == 0, r.stderr
        assert d.ctl("ping").returncode == 0
        assert len(alert_lines(d, "U-1/")) == 1, alert_lines(d, "U-1/")
    finally:
        assert d.stop() == 0
