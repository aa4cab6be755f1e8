"""import --update: new refs added, changed ones updated as update does
(future alerts re-armed, the change in history naming the file),
identical ones left alone; the same file twice changes and fires
nothing.  Without --update an existing ref is refused."""
import json
import os

from test_ocds import d  # noqa: F401 (the fixture: a daemon at NOW)

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "fixtures", "ocds")
HEAD = "ref,title,owner_email,start_date,end_date,max_end_date,services\n"
A = HEAD + (
    "RI-1,Day care,a@x.gov.uk,2024-01-01,2026-12-31,2027-12-31,day:LD\n"
    "RI-2,Night care,b@x.gov.uk,2024-01-01,2027-06-30,2028-06-30,night:LD\n"
    "RI-3,Respite,c@x.gov.uk,2024-01-01,2027-09-30,,\n")
# RI-1 ends on 2026-02-10 now; RI-4 is new.
B = HEAD + (
    "RI-1,Day care,a@x.gov.uk,2024-01-01,2026-02-10,2027-12-31,day:LD\n"
    "RI-2,Night care,b@x.gov.uk,2024-01-01,2027-06-30,2028-06-30,night:LD\n"
    "RI-3,Respite,c@x.gov.uk,2024-01-01,2027-09-30,,\n"
    "RI-4,Advocacy,d@x.gov.uk,2024-01-01,2028-03-31,,\n")


def write(workdir, name, text):
    p = os.path.join(workdir, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def counts(r):
    return {k: r[k] for k in ("added", "updated", "unchanged",
                              "skipped_count", "fired")}


def alerts(d, ref):
    return [(a["key"], a["state"]) for a in
            d.ctl_json("history", ref)["alerts"]]


def test_update_twice_then_a_moved_end(d, workdir):
    a = write(workdir, "register-2025.csv", A)
    assert counts(d.ctl_json("import", a)) == {
        "added": 3, "updated": 0, "unchanged": 0, "skipped_count": 0,
        "fired": 0}
    before = {ref: alerts(d, ref) for ref in ("RI-1", "RI-2", "RI-3")}
    # Without --update: refused, nothing changed.
    r = d.ctl("import", a)
    assert (r.returncode, r.stderr) == (1, (
        "contractctl: conflict: row 2, column ref, value 'RI-1': a contract "
        "with this ref exists already (import --update changes it)\n"))
    for _ in range(2):
        assert counts(d.ctl_json("import", "--update", a)) == {
            "added": 0, "updated": 0, "unchanged": 3, "skipped_count": 0,
            "fired": 0}
    assert {ref: alerts(d, ref) for ref in before} == before
    assert d.ctl_json("history", "RI-1")["extensions"] == []

    b = write(workdir, "register-2026.csv", B)
    r = d.ctl("import", "--update", b)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("imported 1 contract (added 1, updated 1, unchanged "
                        "2, skipped 0); 3 alerts fired at once\n")
    c = d.ctl_json("show", "RI-1")
    assert (c["end_date"], c["max_end_date"]) == ("2026-02-10", "2027-12-31")
    h = d.ctl_json("history", "RI-1")
    # The fake clock runs on from 12:00:00 (slowly under valgrind).
    assert h["extensions"][0].pop("recorded_at").startswith(
        "2026-01-15T12:0")
    assert h["extensions"] == [{
        "old_end": "2026-12-31", "new_end": "2026-02-10", "decided_on": None,
        "decision_ref": None, "lapsed": False, "user": "root",
        "note": "import --update of register-2026.csv: end_date changed"}]
    # Re-armed on the new end: the most recent alert of each milestone
    # fires, late; the earlier ones are skipped.
    fired = sorted(a["key"] for a in h["alerts"] if a["state"] == "fired")
    assert fired == ["RI-1/coverage_gap/2026-02-10/30",
                     "RI-1/extension_deadline/2026-01-11/0",
                     "RI-1/term_end/2026-02-10/30"]
    assert d.ctl_json("show", "RI-4")["end_date"] == "2028-03-31"
    # And the same file again: nothing.
    assert counts(d.ctl_json("import", "--update", b)) == {
        "added": 0, "updated": 0, "unchanged": 4, "skipped_count": 0,
        "fired": 0}
    assert len(d.ctl_json("history", "RI-1")["extensions"]) == 1


def test_fields_the_file_does_not_give_stay(d, workdir):
    d.ctl_json("import", write(workdir, "a.csv", A))
    d.ctl_json("update", "RI-2", "notify=ops@x.gov.uk", "value=1000")
    # A register without those columns changes the title only.
    p = write(workdir, "titles.csv", "ref,title,end_date\n"
              "RI-2,Night care (waking),2027-06-30\n")
    assert counts(d.ctl_json("import", "--update", p)) == {
        "added": 0, "updated": 1, "unchanged": 0, "skipped_count": 0,
        "fired": 0}
    c = d.ctl_json("show", "RI-2")
    assert (c["title"], c["notify"], c["value"], c["services"],
            c["start_date"], c["max_end_date"]) == (
        "Night care (waking)", "ops@x.gov.uk", "1000", "night:LD",
        "2024-01-01", "2028-06-30")
    assert d.ctl_json("history", "RI-2")["extensions"][0]["note"] == \
        "import --update of titles.csv: title changed"


def test_update_refuses_a_duplicate_and_keeps_nothing(d, workdir):
    d.ctl_json("import", write(workdir, "a.csv", A))
    new = "RI-9,New,e@x.gov.uk,2024-01-01,2027-01-31,,\n"
    old = "RI-1,Day care,a@x.gov.uk,2024-01-01,2026-03-31,2027-12-31,\n"
    # A new ref twice, and a ref there before twice.
    for rows, err in (([old, new, new], "row 4, column ref, value 'RI-9': "
                       "duplicate ref (first on row 3)"),
                      ([old, old], "row 3, column ref, value 'RI-1': "
                       "duplicate ref (first on row 2)")):
        r = d.ctl("import", "--update",
                  write(workdir, "dup.csv", HEAD + "".join(rows)))
        assert (r.returncode, r.stderr) == (
            1, "contractctl: invalid_argument: %s\n" % err)
        assert d.ctl_json("show", "RI-1")["end_date"] == "2026-12-31"
        assert d.ctl("show", "RI-9").returncode == 1
    assert d.ctl_json("history", "RI-1")["extensions"] == []


def test_ocds_update_twice_and_a_moved_end(d, workdir):
    pkg = os.path.join(FIX, "release-package.json")
    assert counts(d.ctl_json("import", "--update", pkg)) == {
        "added": 2, "updated": 0, "unchanged": 0, "skipped_count": 4,
        "fired": 0}
    d.ctl_json("update", "HAV-AW-001", "services=homecare:OP")
    assert counts(d.ctl_json("import", "--update", pkg)) == {
        "added": 0, "updated": 0, "unchanged": 2, "skipped_count": 4,
        "fired": 0}
    # A later award update moves the end date again.
    with open(pkg) as f:
        p = json.load(f)
    rel = p["releases"][0]
    rel["date"] = "2025-12-01T09:00:00Z"
    rel["awards"][0]["contractPeriod"]["endDate"] = "2029-03-31T00:00:00Z"
    later = write(workdir, "fts-2025-12.json", json.dumps(p))
    r = d.ctl_json("import", "--update", "--format", "ocds", later)
    assert counts(r) == {"added": 0, "updated": 1, "unchanged": 1,
                         "skipped_count": 4, "fired": 0}
    c = d.ctl_json("show", "HAV-AW-001")
    assert (c["end_date"], c["services"]) == ("2029-03-31", "homecare:OP")
    ext = d.ctl_json("history", "HAV-AW-001")["extensions"]
    assert [(e["old_end"], e["new_end"], e["note"]) for e in ext] == [
        ("2028-09-30", "2029-03-31",
         "import --update of fts-2025-12.json: end_date changed")]
    m = {x["milestone"]: x["due"] for x in
         d.ctl_json("show", "HAV-AW-001")["milestones"]}
    assert (m["term_end"], m["extension_deadline"]) == ("2029-03-31",
                                                        "2029-03-01")


def test_options_are_checked(d):
    for args, msg in (({"update": "yes"}, "update: true or false"),
                      ({"strict": 1}, "strict: true or false"),
                      ({"format": "xml"}, "format: csv or ocds, not xml")):
        args["bytes"] = 0
        r = d.request({"v": 1, "cmd": "import", "args": args})
        assert r == {"v": 1, "ok": False, "error": {
            "code": "invalid_argument", "message": msg}}
    assert d.ctl("ping").returncode == 0
