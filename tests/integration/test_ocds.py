"""OCDS 1.1 import: release packages, record packages and JSON Lines,
one contract per active award, mapped as contractctl(8) says; the latest
release of an award wins; what cannot be mapped is skipped and listed,
or, with --strict, refuses the file."""
import json
import os

import pytest

from conftest import Daemon

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "fixtures", "ocds")
NOW = "@2026-01-15 12:00:00"
FIELDS = ("ref", "title", "kind", "supplier", "owner_name", "owner_email",
          "notify", "start_date", "end_date", "max_end_date",
          "extension_notice_days", "procurement_lead_days", "successor_ref",
          "services", "value", "notes")


def fix(name):
    return os.path.join(FIX, name)


@pytest.fixture
def d(workdir):
    d = Daemon(workdir)
    d.start(faketime=NOW)
    yield d
    rc = d.stop()
    assert rc == 0, d.logtext()


def refs(d):
    r = d.ctl("--json", "list")
    assert r.returncode == 0, r.stderr
    return [json.loads(line)["ref"] for line in r.stdout.splitlines()]


def contract(d, ref):
    c = d.ctl_json("show", ref)
    return {k: c[k] for k in FIELDS}


def row(**kw):
    r = dict.fromkeys(FIELDS)
    r.update(kw)
    return r


HAV = row(ref="HAV-AW-001", title="Home care DPS, lot 1 {north}",
          kind="dps", supplier='CarePlus Ltd; HomeHelp "North" Ltd',
          owner_name="Jo Bloggs", owner_email="jo.bloggs@havering.gov.uk",
          start_date="2025-07-01", end_date="2028-09-30",
          max_end_date="2030-03-31", value="1250000.50",
          notes="ocds-h6vhtk-04a1b2 "
                "https://www.find-tender.service.gov.uk/Notice/012345-2025")
HAC = row(ref="HAC-FW-7", title="Supported living framework",
          kind="framework", supplier="Living Well CIC",
          owner_name="Sam Patel", owner_email="sam.patel@hackney.gov.uk",
          start_date="2025-06-01", end_date="2029-05-31",
          max_end_date="2029-05-31", notes="ocds-h6vhtk-05c3d4")
SKIPPED = [
    {"ocid": "ocds-h6vhtk-06e5f6",
     "reason": "no active award (a planning or tender release)"},
    {"ocid": "ocds-h6vhtk-07a7b8",
     "reason": "award HAV-AW-010: end_date: end_date 2025-03-31 is before "
               "start_date 2026-04-01"},
    {"ocid": "ocds-h6vhtk-07a7b8",
     "reason": "award HAV AW 011: ref: not a ref (1-64 of A-Za-z0-9._/-): "
               "HAV AW 011"},
    {"ocid": "ocds-h6vhtk-07a7b8",
     "reason": "award HAV-AW-012: no end date (the award's, its contract's "
               "or the tender's contractPeriod.endDate)"},
]


def test_release_package_every_field(d):
    r = d.ctl_json("import", fix("release-package.json"))
    assert r == {"imported": 2, "added": 2, "updated": 0, "unchanged": 0,
                 "skipped_count": 4, "skipped": SKIPPED, "fired": 0,
                 "warnings": []}
    # The award update of 2025-09-01 moved the end date and added a
    # supplier; it comes first in the file, the award of 2025-06-01
    # after it, and the later date wins all the same.
    assert contract(d, "HAV-AW-001") == HAV
    # The framework: buyer by buyer.id, title from the tender, period
    # from the contract whose awardID is the award's, a maxExtentDate
    # before the end ignored, a value in dollars left out.
    assert contract(d, "HAC-FW-7") == HAC
    assert refs(d) == ["HAC-FW-7", "HAV-AW-001"]


def test_human_output_lists_skipped(d):
    r = d.ctl("import", "--format", "ocds", fix("release-package.json"))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == ("imported 2 contracts (added 2, updated 0, "
                        "unchanged 0, skipped 4)")
    assert lines[1:] == ["skipped %s: %s" % (s["ocid"], s["reason"])
                         for s in SKIPPED]


def test_record_package(d):
    r = d.ctl_json("import", fix("record-package.json"))
    assert (r["added"], r["skipped_count"]) == (1, 1)
    assert r["skipped"] == [{"ocid": "ocds-b5fd17-3a4b5c",
                             "reason": "a record without compiledRelease"}]
    assert contract(d, "LBBD-22-A1") == row(
        ref="LBBD-22-A1", title="Residential care, lot A", kind="contract",
        supplier="Oak Lodge Care Homes Ltd", owner_name="Ali Khan",
        owner_email="ali.khan@lbbd.gov.uk", start_date="2025-10-01",
        end_date="2028-09-30", max_end_date="2029-09-30", value="3400000",
        notes="ocds-b5fd17-2f3e4d "
              "https://www.contractsfinder.service.gov.uk/Notice/abcd-1234")


def test_json_lines_from_stdin(d):
    with open(fix("releases.jsonl")) as f:
        text = f.read()
    r = d.ctl("--json", "import", "-", input=text)
    assert r.returncode == 0, r.stderr
    r = json.loads(r.stdout)
    assert (r["added"], r["skipped_count"], r["skipped"]) == (2, 0, [])
    # The line after has the same award with an earlier date: it loses.
    assert contract(d, "LBHF-RB-1") == row(
        ref="LBHF-RB-1", title="Reablement service", kind="contract",
        supplier="Reable Ltd", owner_name="Lee Chan",
        owner_email="lee.chan@lbhf.gov.uk", start_date="2025-08-01",
        end_date="2027-07-31", max_end_date="2028-07-31", value="480000.25",
        notes="ocds-h6vhtk-08c9d0")
    # A package on one line of the stream, a release without buyer.
    assert contract(d, "EAL-ADV-2") == row(
        ref="EAL-ADV-2", title="Advocacy", kind="contract",
        supplier="Voice CIC", owner_name="Kim Lowe",
        owner_email="kim.lowe@ealing.gov.uk", start_date="2025-09-01",
        end_date="2026-08-31", max_end_date="2026-08-31",
        notes="ocds-h6vhtk-09e1f2")


def test_strict_refuses_the_file(d):
    r = d.ctl("import", "--strict", fix("release-package.json"))
    assert r.returncode == 1
    assert r.stderr == (
        "contractctl: invalid_argument: 4 releases cannot be imported "
        "(ocds-h6vhtk-06e5f6: no active award (a planning or tender "
        "release); the others are listed without --strict), and --strict "
        "refuses the file: nothing was imported\n")
    assert refs(d) == []
    # Nothing to skip: --strict takes it.
    r = d.ctl_json("import", "--strict", fix("releases.jsonl"))
    assert (r["added"], r["skipped_count"]) == (2, 0)


def test_bad_json_refuses_and_keeps_nothing(d, workdir):
    p = os.path.join(workdir, "bad.json")
    with open(fix("releases.jsonl")) as f:
        good = f.readline()
    with open(p, "w") as f:
        f.write(good + '{"ocid": "x", "awards": [1,]}\n')
    r = d.ctl("import", p)
    assert r.returncode == 1
    assert r.stderr == ("contractctl: invalid_argument: byte %d: not JSON: "
                        "unexpected token near ']'\n" % (len(good) + 28))
    with open(p, "w") as f:
        f.write(good + '{"ocid": "x"')
    r = d.ctl("import", p)
    assert r.stderr == ("contractctl: invalid_argument: byte %d: the file "
                        "ends inside a JSON value\n" % (len(good) + 12))
    assert refs(d) == []
    assert d.ctl("ping").returncode == 0


def test_format_ocds_refuses_csv(d, workdir):
    p = os.path.join(workdir, "c.csv")
    with open(p, "w") as f:
        f.write("ref,title,end_date\nA-1,A,2027-01-01\n")
    r = d.ctl("import", "--format", "ocds", p)
    assert r.stderr == ("contractctl: invalid_argument: byte 1: not OCDS: "
                        "a package or a release is a JSON object\n")
    r = d.ctl("import", "--format", "xml", p)
    assert (r.returncode, r.stderr.splitlines()[0]) == (
        2, "contractctl: --format: csv or ocds, not xml")
    # Auto-detected: a CSV is a CSV.
    assert d.ctl_json("import", p)["added"] == 1


def test_split_across_pieces_streams(d, workdir):
    """A big package: one release at a time, the latest of each award
    kept, whatever the piece boundaries (the client sends 1 MiB)."""
    p = os.path.join(workdir, "big.json")
    n = 3000
    with open(p, "w") as f:
        f.write('{"version": "1.1", "releases": [')
        for i in range(n):
            rel = {"ocid": "ocds-x-%d" % i, "date": "2025-01-01T00:00:00Z",
                   "tender": {"title": "T %d \\\" ]} {[" % i},
                   "awards": [{"id": "BIG-%05d" % i, "description": "x" * 500,
                               "contractPeriod": {"endDate": "2027-01-%02d"
                                                  % (1 + i % 28)}}]}
            f.write((", " if i else "") + json.dumps(rel))
        f.write('], "publisher": {"name": "[x]"}}')
    r = d.ctl_json("import", p)
    assert (r["added"], r["skipped_count"]) == (n, 0)
    c = contract(d, "BIG-02999")
    assert (c["title"], c["end_date"]) == ('T 2999 \\" ]} {[', "2027-01-04")
