"""export: the CSV a round trip of the import byte for byte (quotes,
commas, non-ASCII, empty fields), paged so that neither side holds the
whole file; the ICS one all-day VEVENT per milestone of show --json, with
UIDs stable across exports and the same as the email's; --owner limits
both; bad arguments are refused with what to do."""
import datetime
import json
import os
import subprocess

import icalendar

from conftest import CONTRACTCTL, Daemon, wait_for
from test_smtp import OWNER, add_due, mail_config, parts, servers, vevents

assert servers      # a fixture, used by name

FIELDS = ["ref", "title", "kind", "supplier", "owner_name", "owner_email",
          "notify", "start_date", "end_date", "max_end_date",
          "extension_notice_days", "procurement_lead_days", "successor_ref",
          "services", "value", "notes", "closed_on", "closed_reason"]

REGISTER = (
    "ref,title,kind,supplier,owner_name,owner_email,notify,start_date,"
    "end_date,max_end_date,services,value,notes,extension_notice_days,"
    "successor_ref\n"
    'EX-1,"Care, homes ""north""",dps,"Acme, Ltd",Zoë Brontë,'
    "zoe@council.example,legal@council.example;dm@council.example,"
    "2025-01-01,2027-04-30,2027-12-31,residential:LD;nursing:LD,600000,"
    '"a ""quoted"" note, with a comma",45,EX-2\n'
    "EX-2,Café réseau – Ålesund,contract,,,o'neil@council.example,,"
    "2025-01-01,2028-01-31,,,,,,\n"
    "EX-3,No owner,framework,,,,,,2029-01-31,2030-01-31,,,"
    "' leading space kept',,\n"
    "EX-4,Second of Zoë's,call-off,Beta,,zoe@council.example,,2025-06-01,"
    "2027-09-30,,,,,,\n")


def export(d, *args):
    """What contractctl export writes, as it writes it (CRLF kept)."""
    r = subprocess.run([CONTRACTCTL, "-s", d.sock, "export"] + list(args),
                       capture_output=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert r.stderr == b""
    return r.stdout.decode()


def load(d, text, name="in.csv"):
    path = os.path.join(d.dir, name)
    with open(path, "w", newline="") as f:
        f.write(text)
    r = d.ctl("import", path)
    assert r.returncode == 0, r.stderr
    return path


def test_csv_round_trip_byte_identical(workdir):
    a = Daemon(os.path.join(workdir))
    a.write_config()
    a.start()
    load(a, REGISTER)
    first = export(a)
    lines = first.split("\r\n")
    assert lines[0] == ",".join(FIELDS)
    assert lines[-1] == "" and len(lines) == 6
    assert lines[1] == (
        'EX-1,"Care, homes ""north""",dps,"Acme, Ltd",Zoë Brontë,'
        "zoe@council.example,legal@council.example;dm@council.example,"
        "2025-01-01,2027-04-30,2027-12-31,45,,EX-2,"
        'residential:LD;nursing:LD,600000,"a ""quoted"" note, with a '
        'comma",,')
    # Empty fields stay empty; max_end_date defaults to the end.
    assert lines[2] == ("EX-2,Café réseau – Ålesund,contract,,,"
                        "o'neil@council.example,,2025-01-01,2028-01-31,"
                        "2028-01-31,,,,,,,,")
    assert lines[3].startswith("EX-3,No owner,framework,,,,,,2029-01-31,")
    assert lines[4].startswith("EX-4,")
    assert a.stop() == 0
    bdir = os.path.join(workdir, "b")
    os.mkdir(bdir)
    b = Daemon(bdir)
    b.write_config()
    b.start()
    try:
        load(b, first, "exported.csv")
        assert export(b).encode() == first.encode()
    finally:
        assert b.stop() == 0


def test_csv_export_pages_and_owner(daemon):
    daemon.write_config()
    daemon.start()
    rows = ["ref,title,owner_email,end_date"]
    for i in range(1234):
        rows.append("PG-%05d,Paged %d,%s,2030-%02d-01" % (
            i, i, "a@x.example" if i % 3 else "b@x.example", 1 + i % 12))
    load(daemon, "\n".join(rows) + "\n")
    # The daemon answers a page at a time.
    r = daemon.request({"v": 1, "cmd": "export", "args": {"limit": 500}})
    assert r["ok"], r
    res = r["result"]
    assert res["more"] is True and res["after"] == "PG-00499"
    assert res["contracts"] == 500
    assert res["text"].count("\r\n") == 501      # the header, then rows
    r = daemon.request({"v": 1, "cmd": "export", "args": {
        "limit": 500, "after": "PG-01000"}})
    res = r["result"]
    assert res["more"] is False and res["contracts"] == 233
    assert res["text"].startswith("PG-01001,")
    # The client loops to the end.
    out = export(daemon).split("\r\n")
    assert len(out) == 1 + 1234 + 1
    assert [x.split(",")[0] for x in out[1:-1]] == \
        ["PG-%05d" % i for i in range(1234)]
    only_b = export(daemon, "--owner", "b@x.example").split("\r\n")
    assert only_b[0] == ",".join(FIELDS)
    assert [x.split(",")[0] for x in only_b[1:-1]] == \
        ["PG-%05d" % i for i in range(0, 1234, 3)]
    assert export(daemon, "--owner", "nobody@x.example") == \
        ",".join(FIELDS) + "\r\n"


def test_bad_arguments(daemon):
    daemon.write_config()
    daemon.start()
    r = daemon.ctl("export", "--format", "pdf")
    assert r.returncode == 2
    assert "--format: pdf: not csv or ics" in r.stderr
    r = daemon.request({"v": 1, "cmd": "export", "args": {"format": "xml"}})
    assert r["error"] == {"code": "invalid_argument",
                          "message": "format: xml: not csv or ics"}
    r = daemon.request({"v": 1, "cmd": "export", "args": {"limit": 0}})
    assert r["error"] == {"code": "invalid_argument",
                          "message": "limit must be from 1 to 5000"}
    r = daemon.request({"v": 1, "cmd": "export", "args": {"owner": ""}})
    assert r["error"]["message"] == "owner: empty: give an owner's address"
    r = daemon.request({"v": 1, "cmd": "export", "args": {"x": 1}})
    assert r["error"]["message"] == "unknown argument: x"
    assert daemon.ping_ok()


def events(text):
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["VERSION"]) == "2.0"
    return [c for c in cal.walk() if c.name == "VEVENT"]


def milestones(d, refs):
    out = {}
    for ref in refs:
        for m in d.ctl_json("show", ref)["milestones"]:
            out["%s/%s/%s@contractd" % (ref, m["milestone"], m["due"])] = m
    return out


def test_ics_one_event_per_milestone_stable_uids(daemon):
    daemon.write_config()
    daemon.start()
    load(daemon, REGISTER)
    text = export(daemon, "--format", "ics")
    evs = events(text)
    want = milestones(daemon, ["EX-1", "EX-2", "EX-3", "EX-4"])
    assert len(evs) == len(want)
    assert sorted(str(e["UID"]) for e in evs) == sorted(want)
    for e in evs:
        uid = str(e["UID"])
        ref, kind, due = uid[:-len("@contractd")].split("/")
        assert type(e["DTSTART"].dt) is datetime.date
        assert e["DTSTART"].dt.isoformat() == due
        assert e["DTEND"].dt == e["DTSTART"].dt + datetime.timedelta(days=1)
        assert str(e["SUMMARY"]).startswith(ref + " (")
        assert str(e["DESCRIPTION"]).startswith(str(e["SUMMARY"]) + ".")
    by = {str(e["UID"]): e for e in evs}
    ev = by["EX-1/extension_deadline/2027-03-16@contractd"]
    assert str(ev["SUMMARY"]) == ('EX-1 (Care, homes "north"): extension '
                                  "decision due today (2027-03-16)")
    assert str(ev["DESCRIPTION"]) == (
        str(ev["SUMMARY"]) + ".\nIf nothing is done, the contract ends on "
        "30 April 2027 without being extended.")
    # The same UIDs, and the same events, a second time.
    again = events(export(daemon, "--format", "ics"))
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in evs]
    assert [str(e["SUMMARY"]) for e in again] == \
        [str(e["SUMMARY"]) for e in evs]
    zoe = events(export(daemon, "--format", "ics", "--owner",
                        "zoe@council.example"))
    assert sorted(str(e["UID"]) for e in zoe) == \
        sorted(milestones(daemon, ["EX-1", "EX-4"]))
    none = events(export(daemon, "--format", "ics", "--owner",
                         "nobody@council.example"))
    assert none == []


def test_ics_uid_is_the_emails(daemon, servers):
    srv = servers(tls="starttls")
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile])
    daemon.start()
    add_due(daemon, "UID-1")
    assert wait_for(lambda: srv.to(OWNER)), daemon.logtext()
    _, _, cal = parts(srv.to(OWNER)[0]["message"])
    mail_ev, = vevents(cal)
    exported = {str(e["UID"]): e for e in
                events(export(daemon, "--format", "ics"))}
    assert str(mail_ev["UID"]) in exported
    e = exported[str(mail_ev["UID"])]
    assert e["DTSTART"].dt == mail_ev["DTSTART"].dt
    assert e["DTEND"].dt == mail_ev["DTEND"].dt
