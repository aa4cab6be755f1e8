"""close: a contract ends early, on a given day, for a given reason.

Its end becomes the closing day, the engine gives it no extension
deadline and no procurement start (the decision is taken) and keeps its
term end, expiry and the gap it leaves; alerts after the closing day go,
its history stays, and show says it was closed, when and why.
simulate --close shows beforehand exactly what close will leave.
"""
import json
import re

import pytest

from conftest import Daemon, wait_for

NOBODY = 65534
NOW = "@2027-01-15 12:00:00"
AT = r"2027-01-15T1\d:\d\d:\d\d\+00:00"

C1 = ["ref=C1", "title=Residential care", "start_date=2024-04-01",
      "end_date=2028-06-30", "max_end_date=2029-06-30",
      "services=residential:LD", "owner_email=ann@council.example"]


@pytest.fixture
def d(workdir):
    d = Daemon(workdir)
    d.write_config(socket_mode="0666")
    d.start(faketime=NOW)
    d.ctl("add", *C1, check=True)
    yield d
    if d.proc is not None:
        assert d.stop() == 0, d.logtext()


def simulate(d, *args):
    r = d.ctl("--json", "simulate", "--from", "2027-01-15", "--to",
              "2030-12-31", *args)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def of(rows, ref="C1"):
    return sorted((a["milestone"], a["due"], a["offset_days"])
                  for a in rows if a["contract"] == ref)


# What a close on 2027-09-30 leaves: the term's end, the gap (nothing
# else gives residential:LD) and the expiry, counted from that day.
CLOSED = sorted(
    [("term_end", "2027-09-30", o) for o in (180, 90, 60, 30, 14, 7, 1, 0)] +
    [("coverage_gap", "2027-09-30", o) for o in (180, 90, 30, 7, 0)] +
    [("expired", "2027-10-01", 0)])


def close_c1(d):
    r = d.ctl("close", "C1", "--on", "2027-09-30", "--reason",
              "Provider failure")
    assert (r.returncode, r.stdout, r.stderr) == (
        0, "C1 closed on 2027-09-30 (it was to end on 2028-06-30): "
        "Provider failure\n", "")


def test_close_drops_the_later_alerts(d):
    before = simulate(d)
    assert {a["milestone"] for a in before if a["contract"] == "C1"} == {
        "extension_deadline", "term_end", "procurement_start",
        "coverage_gap", "expired"}
    assert of(simulate(d, "--close", "C1", "--on", "2027-09-30")) == CLOSED
    # simulate --close changed nothing.
    assert simulate(d) == before
    close_c1(d)
    after = simulate(d)
    assert of(after) == CLOSED
    assert max(a["fire_at"] for a in after) < "2027-10-02"
    # The next alert is the first of the new schedule.
    s = d.ctl_json("show", "C1")
    assert s["next_alert"] == min(a["fire_at"] for a in after)


def test_show_says_closed(d):
    close_c1(d)
    s = d.ctl_json("show", "C1")
    assert {k: s[k] for k in ("end_date", "max_end_date", "closed_on",
                              "closed_reason")} == {
        "end_date": "2027-09-30", "max_end_date": "2029-06-30",
        "closed_on": "2027-09-30", "closed_reason": "Provider failure"}
    assert [(m["milestone"], m["due"], m["overdue"]) for m in
            s["milestones"]] == [("term_end", "2027-09-30", False),
                                 ("coverage_gap", "2027-09-30", False),
                                 ("expired", "2027-10-01", False)]
    text = d.ctl("show", "C1").stdout
    assert text.startswith("CLOSED on 2027-09-30: Provider failure\n")
    assert re.search(r"^closed_on +2027-09-30$", text, re.M), text
    listed = [json.loads(ln) for ln in
              d.ctl("--json", "list").stdout.splitlines()]
    assert [(c["ref"], c["end_date"], c["closed_on"]) for c in listed] == \
        [("C1", "2027-09-30", "2027-09-30")]


def test_history_keeps_the_extension_and_shows_the_close(d):
    d.ctl("extend", "C1", "--until", "2028-09-30", "--decision-ref",
          "NKD-7", check=True)
    close_c1_after_extension = d.ctl("--json", "close", "C1", "--on",
                                     "2027-09-30", "--reason", "Replaced")
    assert json.loads(close_c1_after_extension.stdout) == {
        "ref": "C1", "old_end": "2028-09-30", "closed_on": "2027-09-30",
        "reason": "Replaced"}
    h = d.ctl_json("history", "C1")
    assert [(e["old_end"], e["new_end"], e["decision_ref"])
            for e in h["extensions"]] == [("2028-06-30", "2028-09-30",
                                           "NKD-7")]
    assert len(h["closes"]) == 1
    c = h["closes"][0]
    assert re.fullmatch(AT, c.pop("recorded_at")), c
    assert c == {"old_end": "2028-09-30", "closed_on": "2027-09-30",
                 "reason": "Replaced", "user": "root"}
    text = d.ctl("history", "C1").stdout
    assert "closed:\nOLD END     CLOSED ON   RECORDED AT" in text, text


def err(d, args):
    return d.request({"v": 1, "cmd": "close", "args": args})["error"]


def test_close_refusals(d):
    r = d.ctl("close", "NOPE", "--on", "2027-09-30")
    assert (r.returncode, r.stderr) == (
        1, "contractctl: not_found: no contract NOPE\n")
    assert err(d, {"ref": "C1", "on": "2027-02-30"}) == {
        "code": "invalid_argument",
        "message": "on: not a date (YYYY-MM-DD): 2027-02-30"}
    assert err(d, {"ref": "C1"}) == {"code": "invalid_argument",
                                     "message": "on is required"}
    assert err(d, {"ref": "C1", "on": "2028-07-01"}) == {
        "code": "invalid_argument",
        "message": "closing date 2028-07-01 is after the current end "
        "2028-06-30: use extend to move the end later"}
    assert err(d, {"ref": "C1", "on": "2024-03-31"}) == {
        "code": "invalid_argument",
        "message": "closing date 2024-03-31 is before the start 2024-04-01"}
    assert err(d, {"ref": "C1", "on": "2027-09-30", "reason": "a\x01b"}) \
        == {"code": "invalid_argument", "message":
            "reason: control character 0x01 at byte 2"}
    r = d.ctl("close", "C1", "--on", "2027-09-30", user=NOBODY)
    assert (r.returncode, r.stderr) == (
        1, "contractctl: forbidden: close: uid 65534 (nobody) may only "
        "read\n")
    r = d.ctl("close", "C1")
    assert r.returncode == 2
    # Nothing of it changed the contract.
    s = d.ctl_json("show", "C1")
    assert (s["end_date"], s["closed_on"], s["closed_reason"]) == (
        "2028-06-30", None, None)
    assert d.ctl_json("history", "C1")["closes"] == []


def test_closed_twice_extended_or_updated(d):
    close_c1(d)
    e = err(d, {"ref": "C1", "on": "2027-08-31"})
    assert e["code"] == "conflict"
    assert re.fullmatch(r"C1 was closed already, on 2027-09-30 \(recorded "
                        + AT + r"\): Provider failure", e["message"]), e
    r = d.ctl("extend", "C1", "--months", "1")
    assert (r.returncode, r.stderr) == (
        1, "contractctl: conflict: C1 was closed on 2027-09-30: a closed "
        "contract is not extended\n")
    r = d.ctl("update", "C1", "closed_on=2027-08-31")
    assert (r.returncode, r.stderr) == (
        1, "contractctl: invalid_argument: closed_on: a contract is closed "
        "with close, not update\n")
    r = d.ctl("update", "C1", "end_date=2027-12-31")
    assert (r.returncode, r.stderr) == (
        1, "contractctl: invalid_argument: closed_on: closed_on 2027-09-30 "
        "is not end_date 2027-12-31: a closed contract ends on the day it "
        "was closed\n")
    # Other fields still change.
    d.ctl("update", "C1", "title=Residential care (closed)", check=True)
    assert d.ctl_json("show", "C1")["closed_on"] == "2027-09-30"


def test_simulate_close_refusals(d):
    def sim(args):
        return d.request({"v": 1, "cmd": "simulate", "args": dict(
            {"from": "2027-01-15", "to": "2027-12-31"}, **args)})
    assert sim({"close": "NOPE", "on": "2027-09-30"})["error"] == {
        "code": "not_found", "message": "no contract NOPE"}
    assert sim({"close": "C1"})["error"] == {
        "code": "invalid_argument", "message": "on is required"}
    assert sim({"on": "2027-09-30"})["error"] == {
        "code": "invalid_argument",
        "message": "on is for close: give close REF with it"}
    assert sim({"close": "C1", "on": "2029-01-01"})["error"]["message"] == \
        ("closing date 2029-01-01 is after the current end 2028-06-30: use "
         "extend to move the end later")


def fired(d, ref):
    return sorted((a["milestone"], a["due"], a["offset_days"], a["late"])
                  for a in d.ctl_json("history", ref)["alerts"]
                  if a["state"] == "fired")


def test_no_alert_after_the_closing_day(d):
    # C2 is C1's twin, left open: what C1 would have done.
    d.ctl("add", *[f.replace("C1", "C2").replace("residential:LD",
                   "nursing:OP") for f in C1], check=True)
    d.ctl("close", "C1", "--on", "2027-02-15", check=True)
    # The alerts of 30 days before the new end were due: they fire, late.
    closing = [("coverage_gap", "2027-02-15", 30, True),
               ("term_end", "2027-02-15", 30, True)]
    assert fired(d, "C1") == closing
    assert fired(d, "C2") == []
    # Down until the day after the expiry: it fires, late.
    assert d.stop() == 0
    d.start(faketime="@2027-02-17 12:00:00")
    assert wait_for(lambda: len(fired(d, "C1")) == 3), d.logtext()
    assert fired(d, "C1") == sorted(closing +
                                    [("expired", "2027-02-16", 0, True)])
    # Down until the end of 2028: C2's procurement start, still due,
    # fires late; C1, closed, has nothing more.
    assert d.stop() == 0
    d.start(faketime="@2028-12-31 12:00:00")
    assert wait_for(lambda: fired(d, "C2") != []), d.logtext()
    assert fired(d, "C2") == [("procurement_start", "2028-10-03", 0, True)]
    assert fired(d, "C1") == sorted(closing +
                                    [("expired", "2027-02-16", 0, True)])
    s = d.ctl_json("show", "C1")
    assert (s["next_alert"], s["milestones"][-1]["due"]) == (
        None, "2027-02-16")
