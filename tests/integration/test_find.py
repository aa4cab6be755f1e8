"""Finding things: list's filters, agenda by owner and kind, the audit trail.

A register of a few thousand generated contracts (seeded), more than
list's page of 1000, is imported into a real daemon; every filter and a
few combinations must list exactly what a Python oracle finds in the
same CSV, in ref order, across pages.  agenda --owner/--kind must be the
agenda's rows of those contracts.  audit is for administrators, and its
rows say exactly what was done.
"""
import csv
import datetime
import json
import random
import re
import sqlite3

import pytest

from conftest import WRAPPER, Daemon

NOBODY = 65534
NCONTRACTS = 2100 if WRAPPER else 3200
OWNERS = ["ann@council.example", "bob@council.example",
          "cat@council.example", "dev@council.example"]
KINDS = ["contract", "framework", "dps", "call-off"]
SUPPLIERS = ["Acme Care Ltd", "Brightways CIC", "Acme Homes; Zen Trust",
             "Northern Support", ""]
SERVICES = ["residential:LD", "nursing:OP", "live-in:MH", "homecare:north",
            "respite:children"]
FIELDS = ["ref", "title", "kind", "supplier", "owner_name", "owner_email",
          "start_date", "end_date", "max_end_date", "services"]


def register(n, seed=15):
    r = random.Random(seed)
    base = datetime.date(2027, 1, 1)
    rows = []
    for i in range(n):
        end = base + datetime.timedelta(days=r.randrange(0, 1500))
        svcs = r.sample(SERVICES, r.randrange(0, 3))
        rows.append({
            "ref": "R-%05d" % r.randrange(0, 10 ** 5) + "-%d" % i,
            "title": "Contract %d" % i,
            "kind": r.choice(KINDS),
            "supplier": r.choice(SUPPLIERS),
            "owner_name": "Owner",
            "owner_email": r.choice(OWNERS + [""]),
            "start_date": "2024-04-01",
            "end_date": end.isoformat(),
            "max_end_date": (end + datetime.timedelta(
                days=r.choice([0, 365]))).isoformat(),
            # A blank item and spaces: keys are what the list trims.
            "services": " ; ".join(svcs + ([""] if i % 7 == 0 else [])),
        })
    return rows


def keys(row):
    return [s.strip() for s in row["services"].split(";") if s.strip()]


def oracle(rows, owner=None, kind=None, supplier=None, service=None,
           ending_before=None, ending_after=None):
    out = []
    for c in rows:
        if owner and c["owner_email"].lower() != owner.lower():
            continue
        if kind and c["kind"] != kind:
            continue
        if supplier and supplier.lower() not in c["supplier"].lower():
            continue
        if service and service not in keys(c):
            continue
        if ending_before and not c["end_date"] < ending_before:
            continue
        if ending_after and not c["end_date"] > ending_after:
            continue
        out.append(c["ref"])
    return sorted(out)


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    d = Daemon(str(tmp_path_factory.mktemp("find")))
    d.write_config(socket_mode="0666")
    d.start()
    rows = register(NCONTRACTS)
    path = d.dir + "/register.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        w.writerows(rows)
    r = d.ctl("--json", "import", path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["imported"] == NCONTRACTS
    yield d, rows
    assert d.stop() == 0, d.logtext()


def listed(d, *args):
    r = d.ctl("--json", "list", *args)
    assert r.returncode == 0, r.stderr
    return [json.loads(line)["ref"] for line in r.stdout.splitlines()]


OPTS = {"owner": "--owner", "kind": "--kind", "supplier": "--supplier",
        "service": "--service", "ending_before": "--ending-before",
        "ending_after": "--ending-after"}

CASES = [
    {},
    {"owner": "bob@council.example"},
    {"owner": "CAT@Council.Example"},
    {"kind": "dps"},
    {"kind": "call-off"},
    {"supplier": "acme"},
    {"supplier": "Zen Trust"},
    {"service": "residential:LD"},
    {"service": "respite:children"},
    {"ending_before": "2028-01-01"},
    {"ending_after": "2029-06-30"},
    {"ending_after": "2027-06-30"},
    {"ending_after": "2027-06-30", "ending_before": "2027-12-31"},
    {"owner": "ann@council.example", "kind": "framework"},
    {"service": "nursing:OP", "ending_after": "2027-12-31",
     "ending_before": "2029-01-01"},
    {"supplier": "ACME", "kind": "contract", "ending_after": "2028-06-01"},
    {"owner": "dev@council.example", "service": "homecare:north",
     "supplier": "northern"},
    {"owner": "nobody@council.example"},
    {"service": "no-such:key"},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(c) or "all")
def test_list_filters_match_the_oracle(reg, case):
    d, rows = reg
    args = []
    for k, v in case.items():
        args += [OPTS[k], v]
    want = oracle(rows, **case)
    assert listed(d, *args) == want
    if not case:
        assert len(want) == NCONTRACTS > 2 * 1000   # three pages at least


def test_list_counts_are_what_they_should_be(reg):
    # The oracle itself is not empty-handed: the cases find something.
    _, rows = reg
    # Filtered lists of more than one page.
    assert len(oracle(rows, ending_after="2027-06-30")) > 1000
    assert len(oracle(rows, supplier="acme")) > NCONTRACTS // 4
    assert 0 < len(oracle(rows, owner="dev@council.example",
                          service="homecare:north", supplier="northern"))
    assert oracle(rows, owner="nobody@council.example") == []


def test_list_text_pages_have_one_header(reg):
    d, rows = reg
    r = d.ctl("list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == NCONTRACTS + 1
    assert lines[0].split()[:4] == ["REF", "KIND", "END", "MAX"]
    assert sum(1 for ln in lines if ln.startswith("REF ")) == 1
    assert [ln.split()[0] for ln in lines[1:]] == sorted(
        c["ref"] for c in rows)
    r = d.ctl("list", "--owner", "nobody@council.example")
    assert (r.returncode, r.stdout) == (0, "no contracts\n")


def test_list_daemon_pages(reg):
    d, rows = reg
    refs = sorted(c["ref"] for c in rows if c["kind"] == "dps")
    a = d.request({"v": 1, "cmd": "list", "args": {"kind": "dps",
                                                    "limit": 5}})
    assert [c["ref"] for c in a["result"]["contracts"]] == refs[:5]
    assert a["result"]["more"] is True
    a = d.request({"v": 1, "cmd": "list", "args": {
        "kind": "dps", "after": refs[-2], "limit": 5}})
    assert [c["ref"] for c in a["result"]["contracts"]] == refs[-1:]
    assert a["result"]["more"] is False


@pytest.mark.parametrize("args,message", [
    ({"kind": "lease"},
     "kind: not a kind (contract, framework, dps, call-off): lease"),
    ({"ending_before": "2027-02-30"},
     "ending_before: not a date (YYYY-MM-DD): 2027-02-30"),
    ({"ending_after": 20270101}, "ending_after must be a string"),
    ({"owner": ""},
     "owner, supplier and service must not be empty when given"),
    ({"colour": "red"}, "unknown argument: colour"),
])
def test_list_bad_filters(reg, args, message):
    d, _ = reg
    a = d.request({"v": 1, "cmd": "list", "args": args})
    assert a == {"v": 1, "ok": False, "error": {
        "code": "invalid_argument", "message": message}}


def test_list_bad_date_is_a_usage_error(reg):
    d, _ = reg
    r = d.ctl("list", "--ending-before", "2027-13-01")
    assert r.returncode == 2
    assert "--ending-before: 2027-13-01 is not a date (YYYY-MM-DD)" in \
        r.stderr


def agenda(d, *args):
    r = d.ctl("--json", "agenda", "--days", "900", *args)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_agenda_by_owner_and_kind(reg):
    d, rows = reg
    by_ref = {c["ref"]: c for c in rows}
    every = agenda(d)
    assert len(every) > 100
    for owner in ("ann@council.example", "BOB@council.example"):
        got = agenda(d, "--owner", owner)
        assert got == [m for m in every if by_ref[m["ref"]][
            "owner_email"].lower() == owner.lower()]
        assert got
    got = agenda(d, "--kind", "framework", "--owner", "cat@council.example")
    assert got == [m for m in every if by_ref[m["ref"]]["kind"] ==
                   "framework" and by_ref[m["ref"]]["owner_email"] ==
                   "cat@council.example"]
    assert got
    a = d.request({"v": 1, "cmd": "agenda", "args": {"kind": "lease"}})
    assert a["error"] == {"code": "invalid_argument", "message":
                          "kind: not a kind (contract, framework, dps, "
                          "call-off): lease"}


@pytest.fixture
def small(workdir):
    d = Daemon(workdir)
    d.write_config(socket_mode="0666")
    d.start()
    yield d
    assert d.stop() == 0, d.logtext()


AT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"


def test_audit_is_for_administrators(small):
    d = small
    r = d.ctl("audit", user=NOBODY)
    assert r.returncode == 1
    assert r.stderr == ("contractctl: forbidden: audit: uid 65534 (nobody) "
                        "may only read\n")
    r = d.ctl("--json", "audit", user=NOBODY)
    assert json.loads(r.stdout)["error"]["code"] == "forbidden"
    # Neither the refusal nor reading it is a change in the trail.
    r = d.ctl("--json", "audit")
    assert (r.returncode, r.stdout) == (0, "")
    assert d.ctl("audit").stdout == "no audit entries\n"


def test_audit_rows_exact(small):
    d = small
    d.ctl("add", "ref=A-1", "title=First", "end_date=2028-03-31",
          "max_end_date=2029-03-31", check=True)
    d.ctl("add", "ref=B-2", "title=Second", "end_date=2028-06-30",
          check=True)
    d.ctl("extend", "A-1", "--until", "2028-09-30", "--decision-ref",
          "NKD-1", check=True)
    assert d.ctl("extend", "B-2", "--months", "1").returncode == 1
    d.ctl("close", "A-1", "--on", "2028-05-31", "--reason", "Replaced",
          check=True)
    d.ctl("update", "B-2", "title=Second, renamed", check=True)
    assert d.ctl("reload", user=NOBODY).returncode == 1   # not audited
    r = d.ctl("--json", "audit")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    for e in rows:
        assert re.fullmatch(AT, e.pop("at")), e
        assert (e.pop("user"), e.pop("uid")) == ("root", 0)
        e.pop("args")
    assert rows == [
        {"id": 1, "command": "add", "ref": "A-1", "ok": True, "what":
         '{"fields":{"end_date":"2028-03-31","max_end_date":"2029-03-31",'
         '"ref":"A-1","title":"First"}}'},
        {"id": 2, "command": "add", "ref": "B-2", "ok": True, "what":
         '{"fields":{"end_date":"2028-06-30","ref":"B-2",'
         '"title":"Second"}}'},
        {"id": 3, "command": "extend", "ref": "A-1", "ok": True, "what":
         '{"decision_ref":"NKD-1","until":"2028-09-30"}'},
        {"id": 4, "command": "extend", "ref": "B-2", "ok": False, "what":
         "refused (invalid_argument): new end 2028-07-31 is after the "
         "maximum extent 2028-06-30"},
        {"id": 5, "command": "close", "ref": "A-1", "ok": True, "what":
         '{"on":"2028-05-31","reason":"Replaced"}'},
        {"id": 6, "command": "update", "ref": "B-2", "ok": True, "what":
         '{"fields":{"title":"Second, renamed"}}'},
    ]
    got = [json.loads(line)["id"] for line in
           d.ctl("--json", "audit", "--ref", "A-1").stdout.splitlines()]
    assert got == [1, 3, 5]
    today = d.ctl_json("status")   # a read: nothing audited
    assert today
    since = [json.loads(line)["id"] for line in d.ctl(
        "--json", "audit", "--since", "2000-01-01").stdout.splitlines()]
    assert since == [1, 2, 3, 4, 5, 6]
    assert d.ctl("--json", "audit", "--since", "2999-01-01").stdout == ""
    # The daemon pages it as list does.
    a = d.request({"v": 1, "cmd": "audit", "args": {"limit": 2,
                                                     "after": 2}})
    assert [e["id"] for e in a["result"]["entries"]] == [3, 4]
    assert a["result"]["more"] is True
    # The text table.
    r = d.ctl("audit", "--ref", "B-2")
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["TIME", "USER", "UID", "COMMAND", "REF",
                                "WHAT"]
    assert [ln.split()[1:5] for ln in lines[1:]] == [
        ["root", "0", "add", "B-2"], ["root", "0", "extend", "B-2"],
        ["root", "0", "update", "B-2"]]
    db = sqlite3.connect(d.db)
    assert db.execute("SELECT count(*) FROM audit").fetchone() == (6,)
    db.close()
    a = d.request({"v": 1, "cmd": "audit", "args": {"since": "2028-02-30"}})
    assert a["error"] == {"code": "invalid_argument", "message":
                          "since: not a date (YYYY-MM-DD): 2028-02-30"}
