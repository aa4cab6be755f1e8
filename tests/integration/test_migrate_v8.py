"""A database of schema version 8 carried forward unchanged.

tests/fixtures/contractd-v8.db was made by the daemon of schema version 8
(PRAGMA user_version = 8) with tests/fixtures/make-v8.py, whose header
tells its story: eight contracts (the seed's DPS, extended after it had
lapsed, and its successor framework; five more of etc/demo-contracts.csv;
a transport contract under a silence), fired and skipped alerts, two
extensions, two acknowledgements with notes, and an outbox of delivered,
dead and failed deliveries.  Its last instant was 2025-05-10 11:00 BST.

This starts the daemon under test on a copy, five minutes later, with the
same channels, when nothing is due: no alert until 2025-06-01 and no retry
until 2025-05-11 11:00:01.  Whatever the daemon's schema now is, every
answer must be what the daemon of version 8 gave on the same database
(the values below, taken from it); nothing fires and nothing is sent.
"""
import json
import os
import shutil
import sqlite3
import tempfile
import time

import pytest

from conftest import SLOW, SRCDIR, Daemon
from receiver import Receiver

FIXTURE = os.path.join(SRCDIR, "tests", "fixtures", "contractd-v8.db")
NOW = "@2025-05-10 11:05:00"
REFS = ["HAV-ADVOCACY", "HAV-ASCPF", "HAV-CARERS", "HAV-CPDPS", "HAV-EQUIP",
        "HAV-HOMECARE", "HAV-REABLE", "HAV-TRANSPORT"]

# The channels of make-v8.py; "hook" is a receiver that must get nothing.
CHANNELS = """\
[notifier hook]
plugin = webhook
kinds = extension_deadline,expired
url = {hook}
timeout = 5
connect_timeout = 2

[notifier down]
plugin = webhook
kinds = procurement_start
url = http://127.0.0.1:9/down
timeout = 5
connect_timeout = 2
"""


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def migrated(receiver):
    """The daemon under test, started on a copy of the fixture."""
    work = tempfile.mkdtemp(prefix="contractd-v8-")
    os.chmod(work, 0o755)
    d = Daemon(work)
    shutil.copyfile(FIXTURE, d.db)
    d.write_config(extra=CHANNELS.format(hook=receiver.url))
    d.start(faketime=NOW)
    yield d
    if d.proc is not None:
        rc = d.stop()
        assert rc == 0, "contractd exited %r:\n%s" % (rc, d.logtext())
    shutil.rmtree(work, ignore_errors=True)


def lines(d, *args):
    r = d.ctl("--json", *args)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_fixture_is_version_8():
    db = sqlite3.connect("file:%s?mode=ro&immutable=1" % FIXTURE, uri=True)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 8
    finally:
        db.close()


def test_status(migrated):
    st = migrated.ctl_json("status")
    assert {k: st[k] for k in STATUS} == STATUS


# Fields added since schema 8: none of its contracts was closed.
LATER_FIELDS = {"closed_on": None, "closed_reason": None}


def test_list(migrated):
    rows = lines(migrated, "list")
    assert [r["ref"] for r in rows] == list(CONTRACTS) == REFS
    for r in rows:
        ref = r["ref"]
        assert {k: v for k, v in r.items()
                if k not in ("ref", "next_milestone")} == \
            dict(CONTRACTS[ref], **LATER_FIELDS), ref
        nm = r["next_milestone"]
        assert (nm["milestone"], nm["due"], nm["days_left"]) == \
            OVERDUE_NEXT.get(ref, NEXT_MILESTONE[ref]), ref
        assert nm["overdue"] == (ref in OVERDUE_NEXT), ref
        assert set(r) == set(CONTRACTS[ref]) | set(LATER_FIELDS) | \
            {"ref", "next_milestone"}


@pytest.mark.parametrize("ref", REFS)
def test_show(migrated, ref):
    s = migrated.ctl_json("show", ref)
    want = dict(ref=ref, **CONTRACTS[ref])
    assert {k: s[k] for k in want} == want
    extra = SHOW[ref]
    assert {k: s[k] for k in ("silenced_until", "lapsed_extension",
                              "next_alert")} == \
        {k: extra[k] for k in ("silenced_until", "lapsed_extension",
                               "next_alert")}
    got = [(m["milestone"], m["due"], m["days_left"], m["acked"]) +
           ((m["uncovered"],) if "uncovered" in m else ())
           for m in s["milestones"]]
    assert got == extra["milestones"]


@pytest.mark.parametrize("ref", REFS)
def test_history(migrated, ref):
    h = migrated.ctl_json("history", ref)
    assert h["ref"] == ref
    want = HISTORY[ref]
    assert h["extensions"] == want["extensions"]
    assert h["acks"] == acks_of(want)
    got = []
    for a in h["alerts"]:
        assert a["key"] == "%s/%s/%s/%d" % (ref, a["milestone"], a["due"],
                                            a["offset_days"]), a
        got.append((a["key"][len(ref) + 1:], a["fire_at"], a["state"],
                    a["late"], a["at"]))
    assert got == want["alerts"]


def test_outbox(migrated):
    rows = lines(migrated, "outbox") + \
        lines(migrated, "outbox", "--state", "delivered")
    for o in rows:
        assert o["key"] == o["alert_key"] + "/" + o["channel"], o
        assert o["recipient"] is None, o
    got = sorted((o["key"], o["state"], o["attempts"], o["next_attempt"],
                  o["last_error"], o["created"]) for o in rows)
    assert got == OUTBOX
    # Each state on its own, as outbox --state lists it.
    for state in ("pending", "failed", "dead"):
        keys = sorted(o["key"] for o in
                      lines(migrated, "outbox", "--state", state))
        assert keys == [o[0] for o in OUTBOX if o[1] == state], state


def acks_of(history):
    """The acknowledgements as schema 8 had them: each the first of its
    milestone (later ones only add notes)."""
    return [dict(a, added_note=False) for a in history["acks"]]


def agenda_of(d):
    """The agenda as schema 8 gave it, and the overdue milestones before
    it, which that daemon did not list."""
    rows = lines(d, "agenda", "--days", "2100")
    for a in rows:
        assert a["title"] == CONTRACTS[a["ref"]]["title"], a
    got = [(a["ref"], a["milestone"], a["due"], a["days_left"], a["acked"])
           for a in rows]
    n = sum(a["overdue"] for a in rows)
    assert all(a["overdue"] for a in rows[:n]), rows
    return got[:n], got[n:]


def test_agenda(migrated):
    assert agenda_of(migrated) == (AGENDA_OVERDUE, AGENDA)


def test_simulate(migrated):
    rows = lines(migrated, "simulate", "--from", "2025-05-10",
                 "--to", "2026-01-31")
    assert [(a["fire_at"], a["contract"], a["milestone"], a["due"],
             a["offset_days"], a["channels"]) for a in rows] == SIMULATE


def test_audit(migrated):
    # No command shows the audit rows: they are read from the table.
    db = sqlite3.connect("file:%s?mode=ro" % migrated.db, uri=True)
    try:
        rows = [tuple(r[:5]) + (json.loads(r[5]), json.loads(r[6]))
                for r in db.execute("SELECT id, at, uid, user, cmd, args, "
                                    "result FROM audit ORDER BY id")]
    finally:
        db.close()
    assert rows == AUDIT


def test_nothing_fired_or_sent(migrated, receiver):
    assert migrated.ctl("ping").returncode == 0
    time.sleep(1 * SLOW)
    assert ">alert " not in migrated.logtext()
    assert receiver.count() == 0
    st = migrated.ctl_json("status")
    assert (st["outbox"], st["next_alert"]) == (STATUS["outbox"],
                                                STATUS["next_alert"])


def test_schema_after_start_and_restart(migrated):
    # Last: stops the daemon, checks the file, and starts it again on it.
    assert migrated.stop() == 0, migrated.logtext()
    db = sqlite3.connect(migrated.db)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 8
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()
    migrated.start(faketime=NOW)
    st = migrated.ctl_json("status")
    assert {k: st[k] for k in STATUS} == STATUS
    rows = lines(migrated, "outbox") + \
        lines(migrated, "outbox", "--state", "delivered")
    assert sorted((o["key"], o["state"], o["attempts"], o["next_attempt"],
                   o["last_error"], o["created"]) for o in rows) == OUTBOX
    assert agenda_of(migrated) == (AGENDA_OVERDUE, AGENDA)
    assert migrated.ctl_json("history", "HAV-CPDPS")["acks"] == \
        acks_of(HISTORY["HAV-CPDPS"])


# The answers of the daemon of schema version 8 on the fixture at NOW.

ASC_SERVICES = ('supported-living:LD;supported-living:MH;'
                'supported-living:PSD;supported-living:CVN;residential:LD;'
                'residential:MH;residential:PSD;residential:CVN;nursing:LD;'
                'nursing:MH;nursing:PSD;nursing:CVN;domiciliary:LD;'
                'domiciliary:MH;domiciliary:PSD;domiciliary:CVN;live-in:LD;'
                'live-in:MH;live-in:PSD;live-in:CVN')

DPS_SERVICES = ('supported-living:LD;supported-living:MH;'
                'supported-living:PSD;supported-living:CVN;'
                'supported-living:children;residential:LD;residential:MH;'
                'residential:PSD;residential:CVN;nursing:LD;nursing:MH;'
                'nursing:PSD;nursing:CVN;domiciliary:LD;domiciliary:MH;'
                'domiciliary:PSD;domiciliary:CVN;live-in:LD;live-in:MH;'
                'live-in:PSD;live-in:CVN')

CONTRACTS = {
    'HAV-ADVOCACY': {
        'title': 'Independent Advocacy Service',
        'kind': 'contract',
        'supplier': 'Voice Advocacy Ltd',
        'owner_name': 'Safeguarding Lead',
        'owner_email': 'advocacy@council.example',
        'notify': 'legal@council.example',
        'start_date': '2022-06-01',
        'end_date': '2027-05-31',
        'max_end_date': '2028-05-31',
        'extension_notice_days': 120,
        'procurement_lead_days': 300,
        'successor_ref': None,
        'services': 'advocacy:adults;advocacy:children',
        'value': '620000',
        'notes': 'Statutory advocacy (Care Act and Mental Health Act).',
    },
    'HAV-ASCPF': {
        'title': 'ASC Placement Framework',
        'kind': 'framework',
        'supplier': None,
        'owner_name': 'Senior Commissioner Age Well',
        'owner_email': 'commissioning@council.example',
        'notify': 'procurement@council.example',
        'start_date': '2026-01-01',
        'end_date': '2029-12-31',
        'max_end_date': '2031-12-31',
        'extension_notice_days': 90,
        'procurement_lead_days': 365,
        'successor_ref': None,
        'services': ASC_SERVICES,
        'value': None,
        'notes': ('Residential and nursing care homes, homecare and '
                  'supported living placements for adults; replaces the '
                  'Complex Placements DPS and the Active Homecare Framework.'),
    },
    'HAV-CARERS': {
        'title': 'Carers Support Service',
        'kind': 'contract',
        'supplier': 'Carers Hub CIC',
        'owner_name': 'Carers Lead',
        'owner_email': 'carers@council.example',
        'notify': 'decisions@council.example',
        'start_date': '2021-12-01',
        'end_date': '2026-12-31',
        'max_end_date': '2026-12-31',
        'extension_notice_days': None,
        'procurement_lead_days': None,
        'successor_ref': None,
        'services': 'carers-support:adults',
        'value': '380000',
        'notes': 'No extension option left: re-procurement under way.',
    },
    'HAV-CPDPS': {
        'title': 'Complex Placements Dynamic Purchasing System',
        'kind': 'dps',
        'supplier': None,
        'owner_name': 'Senior Commissioner Age Well',
        'owner_email': 'commissioning@council.example',
        'notify': 'procurement@council.example;legal@council.example',
        'start_date': '2020-06-01',
        'end_date': '2025-12-31',
        'max_end_date': '2026-04-30',
        'extension_notice_days': 30,
        'procurement_lead_days': 270,
        'successor_ref': 'HAV-ASCPF',
        'services': DPS_SERVICES,
        'value': None,
        'notes': ('Complex care placements for adults with learning '
                  'disabilities, mental health needs, physical and sensory '
                  'disabilities and complex vulnerable needs, and supported '
                  'living for children. Option to extend to 2026-04-30.'),
    },
    'HAV-EQUIP': {
        'title': 'Community Equipment Service',
        'kind': 'call-off',
        'supplier': 'Medequip Ltd',
        'owner_name': 'Equipment Manager',
        'owner_email': 'equipment@council.example',
        'notify': None,
        'start_date': '2024-04-01',
        'end_date': '2028-03-31',
        'max_end_date': '2029-03-31',
        'extension_notice_days': 90,
        'procurement_lead_days': 180,
        'successor_ref': None,
        'services': 'equipment:community',
        'value': '2100000',
        'notes': 'Call-off from a regional framework.',
    },
    'HAV-HOMECARE': {
        'title': 'Active Homecare Framework',
        'kind': 'framework',
        'supplier': None,
        'owner_name': 'Homecare Commissioner',
        'owner_email': 'homecare@council.example',
        'notify': 'procurement@council.example',
        'start_date': '2022-04-01',
        'end_date': '2027-01-31',
        'max_end_date': '2027-07-31',
        'extension_notice_days': 60,
        'procurement_lead_days': None,
        'successor_ref': 'HAV-ASCPF',
        'services': 'domiciliary:older-people',
        'value': '4800000.00',
        'notes': ('Homecare for older people; successor is the ASC Placement '
                  'Framework.'),
    },
    'HAV-REABLE': {
        'title': 'Reablement Service',
        'kind': 'contract',
        'supplier': 'Enable Care Ltd',
        'owner_name': 'Adult Social Care Commissioner',
        'owner_email': 'reablement@council.example',
        'notify': None,
        'start_date': '2023-02-01',
        'end_date': '2027-02-28',
        'max_end_date': '2028-02-29',
        'extension_notice_days': 90,
        'procurement_lead_days': 240,
        'successor_ref': None,
        'services': 'reablement:adults',
        'value': '1250000',
        'notes': 'Short-term reablement after hospital discharge.',
    },
    'HAV-TRANSPORT': {
        'title': 'Home to School Transport',
        'kind': 'contract',
        'supplier': 'Safe Routes Ltd',
        'owner_name': 'SEN Transport Lead',
        'owner_email': 'transport@council.example',
        'notify': 'procurement@council.example',
        'start_date': '2022-07-01',
        'end_date': '2025-06-30',
        'max_end_date': '2025-06-30',
        'extension_notice_days': None,
        'procurement_lead_days': None,
        'successor_ref': None,
        'services': 'transport:SEN',
        'value': '450000',
        'notes': 'No extension option; re-tender late.',
    },
}

# Overdue at NOW, so the next milestone of list and first in the agenda
# (the daemon of schema 8 did not show overdue milestones).
OVERDUE_NEXT = {
    "HAV-TRANSPORT": ("procurement_start", "2024-10-03", -219),
}
AGENDA_OVERDUE = [
    ("HAV-TRANSPORT", "procurement_start", "2024-10-03", -219, False),
]

NEXT_MILESTONE = {
    'HAV-ADVOCACY': ('extension_deadline', '2027-01-31', 631),
    'HAV-ASCPF': ('extension_deadline', '2029-10-02', 1606),
    'HAV-CARERS': ('procurement_start', '2026-04-05', 330),
    'HAV-CPDPS': ('extension_deadline', '2025-12-01', 205),
    'HAV-EQUIP': ('extension_deadline', '2028-01-01', 966),
    'HAV-HOMECARE': ('extension_deadline', '2026-12-02', 571),
    'HAV-REABLE': ('extension_deadline', '2026-11-30', 569),
    'HAV-TRANSPORT': ('term_end', '2025-06-30', 51),
}

SHOW = {
    'HAV-ADVOCACY': {
        'silenced_until': None,
        'lapsed_extension': False,
        'next_alert': '2026-11-02T09:00:00+00:00',
        'milestones': [
            ('extension_deadline', '2027-01-31', 631, False),
            ('term_end', '2027-05-31', 751, False),
            ('procurement_start', '2027-08-05', 817, False),
            ('coverage_gap', '2027-05-31', 751, False,
             'advocacy:adults;advocacy:children'),
            ('expired', '2027-06-01', 752, False),
        ],
    },
    'HAV-ASCPF': {
        'silenced_until': None,
        'lapsed_extension': False,
        'next_alert': '2029-07-04T09:00:00+01:00',
        'milestones': [
            ('extension_deadline', '2029-10-02', 1606, False),
            ('term_end', '2029-12-31', 1696, False),
            ('procurement_start', '2030-12-31', 2061, False),
            ('coverage_gap', '2029-12-31', 1696, False, ASC_SERVICES),
            ('expired', '2030-01-01', 1697, False),
        ],
    },
    'HAV-CARERS': {
        'silenced_until': None,
        'lapsed_extension': False,
        'next_alert': '2026-01-05T09:00:00+00:00',
        'milestones': [
            ('term_end', '2026-12-31', 600, False),
            ('procurement_start', '2026-04-05', 330, False),
            ('coverage_gap', '2026-12-31', 600, False,
             'carers-support:adults'),
            ('expired', '2027-01-01', 601, False),
        ],
    },
    'HAV-CPDPS': {
        'silenced_until': None,
        'lapsed_extension': True,
        'next_alert': '2025-07-04T09:00:00+01:00',
        'milestones': [
            ('extension_deadline', '2025-12-01', 205, False),
            ('term_end', '2025-12-31', 235, False),
            ('coverage_gap', '2025-12-31', 235, True,
             'supported-living:children'),
            ('expired', '2026-01-01', 236, False),
        ],
    },
    'HAV-EQUIP': {
        'silenced_until': None,
        'lapsed_extension': False,
        'next_alert': '2027-10-01T09:00:00+01:00',
        'milestones': [
            ('extension_deadline', '2028-01-01', 966, False),
            ('term_end', '2028-03-31', 1056, False),
            ('procurement_start', '2028-10-02', 1241, False),
            ('coverage_gap', '2028-03-31', 1056, False, 'equipment:community'),
            ('expired', '2028-04-01', 1057, False),
        ],
    },
    'HAV-HOMECARE': {
        'silenced_until': None,
        'lapsed_extension': False,
        'next_alert': '2026-08-04T09:00:00+01:00',
        'milestones': [
            ('extension_deadline', '2026-12-02', 571, False),
            ('term_end', '2027-01-31', 631, False),
            ('coverage_gap', '2027-01-31', 631, False,
             'domiciliary:older-people'),
            ('expired', '2027-02-01', 632, False),
        ],
    },
    'HAV-REABLE': {
        'silenced_until': None,
        'lapsed_extension': False,
        'next_alert': '2026-09-01T09:00:00+01:00',
        'milestones': [
            ('extension_deadline', '2026-11-30', 569, False),
            ('term_end', '2027-02-28', 659, False),
            ('procurement_start', '2027-07-04', 785, False),
            ('coverage_gap', '2027-02-28', 659, False, 'reablement:adults'),
            ('expired', '2027-03-01', 660, False),
        ],
    },
    'HAV-TRANSPORT': {
        'silenced_until': '2025-05-31',
        'lapsed_extension': False,
        'next_alert': '2025-06-01T09:00:00+01:00',
        'milestones': [
            ('term_end', '2025-06-30', 51, False),
            ('procurement_start', '2024-10-03', -219, False),
            ('coverage_gap', '2025-06-30', 51, False, 'transport:SEN'),
            ('expired', '2025-07-01', 52, False),
        ],
    },
}

HISTORY = {
    'HAV-ADVOCACY': {'extensions': [], 'alerts': [], 'acks': []},
    'HAV-ASCPF': {'extensions': [], 'alerts': [], 'acks': []},
    'HAV-CARERS': {'extensions': [], 'alerts': [], 'acks': []},
    'HAV-CPDPS': {
        'extensions': [
            {
                'old_end': '2025-04-30',
                'new_end': '2025-12-31',
                'decided_on': '2025-05-06',
                'decision_ref': 'NKD-2025-031',
                'note': ('Replacement framework not ready; decision signed '
                         'after the DPS ended'),
                'lapsed': True,
                'recorded_at': '2025-05-06T10:00:00+01:00',
                'user': 'root',
            },
        ],
        'alerts': [
            ('coverage_gap/2025-04-30/90', '2025-01-30T09:00:00+00:00',
             'fired', True, '2025-03-20T12:00:00+00:00'),
            ('term_end/2025-04-30/60', '2025-02-28T09:00:00+00:00', 'fired',
             True, '2025-03-20T12:00:00+00:00'),
            ('extension_deadline/2025-03-31/14', '2025-03-17T09:00:00+00:00',
             'fired', True, '2025-03-20T12:00:00+00:00'),
            ('extension_deadline/2025-03-31/7', '2025-03-24T09:00:00+00:00',
             'skipped', False, '2025-03-31T08:59:57+01:00'),
            ('extension_deadline/2025-03-31/1', '2025-03-28T09:00:00+00:00',
             'fired', True, '2025-03-31T08:59:57+01:00'),
            ('coverage_gap/2025-04-30/30', '2025-03-31T09:00:00+01:00',
             'fired', False, '2025-03-31T09:00:00+01:00'),
            ('extension_deadline/2025-03-31/0', '2025-03-31T09:00:00+01:00',
             'fired', False, '2025-03-31T09:00:00+01:00'),
            ('term_end/2025-04-30/30', '2025-03-31T09:00:00+01:00', 'fired',
             False, '2025-03-31T09:00:00+01:00'),
            ('coverage_gap/2025-04-30/7', '2025-04-23T09:00:00+01:00',
             'skipped', False, '2025-05-06T10:00:00+01:00'),
            ('coverage_gap/2025-04-30/0', '2025-04-30T09:00:00+01:00', 'fired',
             True, '2025-05-06T10:00:00+01:00'),
            ('expired/2025-05-01/0', '2025-05-01T09:00:00+01:00', 'fired',
             True, '2025-05-06T10:00:00+01:00'),
            ('procurement_start/2025-08-03/90', '2025-05-02T09:00:00+01:00',
             'fired', True, '2025-05-06T10:00:00+01:00'),
        ],
        'acks': [
            {
                'milestone': 'term_end',
                'due': '2025-04-30',
                'note': ('Extension report goes to Cabinet; decision '
                         'expected 6 May'),
                'user': 'root',
                'at': '2025-03-31T09:00:30+01:00',
            },
            {
                'milestone': 'coverage_gap',
                'due': '2025-12-31',
                'note': ("Children's supported living is re-let on its own "
                         '(CAB-2025-112)'),
                'user': 'root',
                'at': '2025-05-06T10:00:00+01:00',
            },
        ],
    },
    'HAV-EQUIP': {
        'extensions': [
            {
                'old_end': '2027-03-31',
                'new_end': '2028-03-31',
                'decided_on': '2025-05-02',
                'decision_ref': 'EQ-2025-007',
                'note': None,
                'lapsed': False,
                'recorded_at': '2025-05-06T10:00:00+01:00',
                'user': 'root',
            },
        ],
        'alerts': [],
        'acks': [],
    },
    'HAV-HOMECARE': {'extensions': [], 'alerts': [], 'acks': []},
    'HAV-REABLE': {'extensions': [], 'alerts': [], 'acks': []},
    'HAV-TRANSPORT': {
        'extensions': [],
        'alerts': [
            ('procurement_start/2024-10-03/90', '2024-07-05T09:00:00+01:00',
             'skipped', False, None),
            ('procurement_start/2024-10-03/60', '2024-08-02T09:00:00+01:00',
             'skipped', False, None),
            ('procurement_start/2024-10-03/30', '2024-09-03T09:00:00+01:00',
             'skipped', False, None),
            ('procurement_start/2024-10-03/7', '2024-09-26T09:00:00+01:00',
             'skipped', False, None),
            ('procurement_start/2024-10-03/0', '2024-10-03T09:00:00+01:00',
             'skipped', False, None),
            ('coverage_gap/2025-06-30/180', '2024-12-31T09:00:00+00:00',
             'fired', True, '2025-03-20T12:00:00+00:00'),
            ('term_end/2025-06-30/180', '2024-12-31T09:00:00+00:00', 'fired',
             True, '2025-03-20T12:00:00+00:00'),
        ],
        'acks': [],
    },
}

OUTBOX = [
    ('HAV-CPDPS/coverage_gap/2025-04-30/0/log', 'delivered', 1, None, None,
     '2025-05-06T10:00:00+01:00'),
    ('HAV-CPDPS/coverage_gap/2025-04-30/30/log', 'delivered', 1, None, None,
     '2025-03-31T09:00:00+01:00'),
    ('HAV-CPDPS/coverage_gap/2025-04-30/90/log', 'delivered', 1, None, None,
     '2025-03-20T12:00:00+00:00'),
    ('HAV-CPDPS/expired/2025-05-01/0/hook', 'delivered', 1, None, None,
     '2025-05-06T10:00:00+01:00'),
    ('HAV-CPDPS/expired/2025-05-01/0/log', 'delivered', 1, None, None,
     '2025-05-06T10:00:00+01:00'),
    ('HAV-CPDPS/extension_deadline/2025-03-31/0/hook', 'delivered', 2, None,
     None, '2025-03-31T09:00:00+01:00'),
    ('HAV-CPDPS/extension_deadline/2025-03-31/0/log', 'delivered', 1, None,
     None, '2025-03-31T09:00:00+01:00'),
    ('HAV-CPDPS/extension_deadline/2025-03-31/1/hook', 'delivered', 1, None,
     None, '2025-03-31T08:59:57+01:00'),
    ('HAV-CPDPS/extension_deadline/2025-03-31/1/log', 'delivered', 1, None,
     None, '2025-03-31T08:59:57+01:00'),
    ('HAV-CPDPS/extension_deadline/2025-03-31/14/hook', 'dead', 2, None,
     'HTTP 404: ok', '2025-03-31T09:00:30+01:00'),
    ('HAV-CPDPS/extension_deadline/2025-03-31/14/log', 'delivered', 1, None,
     None, '2025-03-20T12:00:00+00:00'),
    (
        'HAV-CPDPS/procurement_start/2025-08-03/90/down',
        'dead',
        2,
        None,
        ("Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect "
         'to server'),
        '2025-05-06T10:00:00+01:00',
    ),
    ('HAV-CPDPS/procurement_start/2025-08-03/90/log', 'delivered', 1, None,
     None, '2025-05-06T10:00:00+01:00'),
    ('HAV-CPDPS/term_end/2025-04-30/30/log', 'delivered', 1, None, None,
     '2025-03-31T09:00:00+01:00'),
    ('HAV-CPDPS/term_end/2025-04-30/60/log', 'delivered', 1, None, None,
     '2025-03-20T12:00:00+00:00'),
    ('HAV-TRANSPORT/coverage_gap/2025-06-30/180/log', 'delivered', 1, None,
     None, '2025-03-20T12:00:00+00:00'),
    ('HAV-TRANSPORT/term_end/2025-06-30/180/log', 'delivered', 1, None, None,
     '2025-03-20T12:00:00+00:00'),
    (
        'test/down/1742472000.1/down',
        'dead',
        2,
        None,
        ("Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect "
         'to server'),
        '2025-03-20T12:00:00+00:00',
    ),
    ('test/hook/1746871200.1/hook', 'failed', 1, '2025-05-11T11:00:01+01:00',
     'HTTP 503: ok', '2025-05-10T11:00:00+01:00'),
]

AGENDA = [
    ('HAV-TRANSPORT', 'term_end', '2025-06-30', 51, False),
    ('HAV-TRANSPORT', 'coverage_gap', '2025-06-30', 51, False),
    ('HAV-TRANSPORT', 'expired', '2025-07-01', 52, False),
    ('HAV-CPDPS', 'extension_deadline', '2025-12-01', 205, False),
    ('HAV-CPDPS', 'term_end', '2025-12-31', 235, False),
    ('HAV-CPDPS', 'coverage_gap', '2025-12-31', 235, True),
    ('HAV-CPDPS', 'expired', '2026-01-01', 236, False),
    ('HAV-CARERS', 'procurement_start', '2026-04-05', 330, False),
    ('HAV-REABLE', 'extension_deadline', '2026-11-30', 569, False),
    ('HAV-HOMECARE', 'extension_deadline', '2026-12-02', 571, False),
    ('HAV-CARERS', 'term_end', '2026-12-31', 600, False),
    ('HAV-CARERS', 'coverage_gap', '2026-12-31', 600, False),
    ('HAV-CARERS', 'expired', '2027-01-01', 601, False),
    ('HAV-ADVOCACY', 'extension_deadline', '2027-01-31', 631, False),
    ('HAV-HOMECARE', 'term_end', '2027-01-31', 631, False),
    ('HAV-HOMECARE', 'coverage_gap', '2027-01-31', 631, False),
    ('HAV-HOMECARE', 'expired', '2027-02-01', 632, False),
    ('HAV-REABLE', 'term_end', '2027-02-28', 659, False),
    ('HAV-REABLE', 'coverage_gap', '2027-02-28', 659, False),
    ('HAV-REABLE', 'expired', '2027-03-01', 660, False),
    ('HAV-ADVOCACY', 'term_end', '2027-05-31', 751, False),
    ('HAV-ADVOCACY', 'coverage_gap', '2027-05-31', 751, False),
    ('HAV-ADVOCACY', 'expired', '2027-06-01', 752, False),
    ('HAV-REABLE', 'procurement_start', '2027-07-04', 785, False),
    ('HAV-ADVOCACY', 'procurement_start', '2027-08-05', 817, False),
    ('HAV-EQUIP', 'extension_deadline', '2028-01-01', 966, False),
    ('HAV-EQUIP', 'term_end', '2028-03-31', 1056, False),
    ('HAV-EQUIP', 'coverage_gap', '2028-03-31', 1056, False),
    ('HAV-EQUIP', 'expired', '2028-04-01', 1057, False),
    ('HAV-EQUIP', 'procurement_start', '2028-10-02', 1241, False),
    ('HAV-ASCPF', 'extension_deadline', '2029-10-02', 1606, False),
    ('HAV-ASCPF', 'term_end', '2029-12-31', 1696, False),
    ('HAV-ASCPF', 'coverage_gap', '2029-12-31', 1696, False),
    ('HAV-ASCPF', 'expired', '2030-01-01', 1697, False),
    ('HAV-ASCPF', 'procurement_start', '2030-12-31', 2061, False),
]

SIMULATE = [
    ('2025-05-30T09:00:00+01:00', 'HAV-TRANSPORT', 'coverage_gap',
     '2025-06-30', 30, ['log']),
    ('2025-05-30T09:00:00+01:00', 'HAV-TRANSPORT', 'term_end', '2025-06-30',
     30, ['log']),
    ('2025-06-16T09:00:00+01:00', 'HAV-TRANSPORT', 'term_end', '2025-06-30',
     14, ['log']),
    ('2025-06-23T09:00:00+01:00', 'HAV-TRANSPORT', 'coverage_gap',
     '2025-06-30', 7, ['log']),
    ('2025-06-23T09:00:00+01:00', 'HAV-TRANSPORT', 'term_end', '2025-06-30', 7,
     ['log']),
    ('2025-06-27T09:00:00+01:00', 'HAV-TRANSPORT', 'term_end', '2025-06-30', 1,
     ['log']),
    ('2025-06-30T09:00:00+01:00', 'HAV-TRANSPORT', 'coverage_gap',
     '2025-06-30', 0, ['log']),
    ('2025-06-30T09:00:00+01:00', 'HAV-TRANSPORT', 'term_end', '2025-06-30', 0,
     ['log']),
    ('2025-07-01T09:00:00+01:00', 'HAV-TRANSPORT', 'expired', '2025-07-01', 0,
     ['log', 'hook']),
    ('2025-07-04T09:00:00+01:00', 'HAV-CPDPS', 'coverage_gap', '2025-12-31',
     180, ['log']),
    ('2025-07-04T09:00:00+01:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 180,
     ['log']),
    ('2025-09-02T09:00:00+01:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 90, ['log', 'hook']),
    ('2025-10-02T09:00:00+01:00', 'HAV-CPDPS', 'coverage_gap', '2025-12-31',
     90, ['log']),
    ('2025-10-02T09:00:00+01:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 60, ['log', 'hook']),
    ('2025-10-02T09:00:00+01:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 90,
     ['log']),
    ('2025-10-31T09:00:00+00:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 30, ['log', 'hook']),
    ('2025-10-31T09:00:00+00:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 60,
     ['log']),
    ('2025-11-17T09:00:00+00:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 14, ['log', 'hook']),
    ('2025-11-24T09:00:00+00:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 7, ['log', 'hook']),
    ('2025-11-28T09:00:00+00:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 1, ['log', 'hook']),
    ('2025-12-01T09:00:00+00:00', 'HAV-CPDPS', 'coverage_gap', '2025-12-31',
     30, ['log']),
    ('2025-12-01T09:00:00+00:00', 'HAV-CPDPS', 'extension_deadline',
     '2025-12-01', 0, ['log', 'hook']),
    ('2025-12-01T09:00:00+00:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 30,
     ['log']),
    ('2025-12-17T09:00:00+00:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 14,
     ['log']),
    ('2025-12-24T09:00:00+00:00', 'HAV-CPDPS', 'coverage_gap', '2025-12-31', 7,
     ['log']),
    ('2025-12-24T09:00:00+00:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 7,
     ['log']),
    ('2025-12-30T09:00:00+00:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 1,
     ['log']),
    ('2025-12-31T09:00:00+00:00', 'HAV-CPDPS', 'coverage_gap', '2025-12-31', 0,
     ['log']),
    ('2025-12-31T09:00:00+00:00', 'HAV-CPDPS', 'term_end', '2025-12-31', 0,
     ['log']),
    ('2026-01-02T09:00:00+00:00', 'HAV-CPDPS', 'expired', '2026-01-01', 0,
     ['log', 'hook']),
    ('2026-01-05T09:00:00+00:00', 'HAV-CARERS', 'procurement_start',
     '2026-04-05', 90, ['log', 'down']),
]

STATUS = {
    'contracts': 8,
    'plugins': ['log', 'webhook'],
    'channels': [
        {'name': 'log', 'plugin': 'log', 'disabled': False},
        {'name': 'hook', 'plugin': 'webhook', 'disabled': False},
        {'name': 'down', 'plugin': 'webhook', 'disabled': False},
    ],
    'admin': True,
    'outbox': {'pending': 0, 'failed': 1, 'dead': 3, 'delivered': 15},
    'next_alert': '2025-06-01T09:00:00+01:00',
    'in_flight': 0,
}

AUDIT = [
    (1, 1742472000, 0, 'root', 'import', {'bytes': 2141}, {'ok': True}),
    (
        2,
        1742472000,
        0,
        'root',
        'add',
        {
            'fields': {
                'end_date': '2025-06-30',
                'notes': 'No extension option; re-tender late.',
                'notify': 'procurement@council.example',
                'owner_email': 'transport@council.example',
                'owner_name': 'SEN Transport Lead',
                'ref': 'HAV-TRANSPORT',
                'services': 'transport:SEN',
                'start_date': '2022-07-01',
                'supplier': 'Safe Routes Ltd',
                'title': 'Home to School Transport',
                'value': '450000',
            },
        },
        {'ok': True},
    ),
    (
        3,
        1742472000,
        0,
        'root',
        'notify-test',
        {'channel': 'down'},
        {'ok': True},
    ),
    (4, 1743408000, 0, 'root', 'reload', {}, {'ok': True}),
    (
        5,
        1743408030,
        0,
        'root',
        'retry',
        {'key': 'HAV-CPDPS/extension_deadline/2025-03-31/14/hook'},
        {'ok': True},
    ),
    (
        6,
        1743408030,
        0,
        'root',
        'ack',
        {
            'kind': 'term_end',
            'note': ('Extension report goes to Cabinet; decision expected 6 '
                     'May'),
            'ref': 'HAV-CPDPS',
        },
        {'ok': True},
    ),
    (
        7,
        1743408030,
        0,
        'root',
        'silence',
        {'ref': 'HAV-TRANSPORT', 'until': '2025-05-31'},
        {'ok': True},
    ),
    (
        8,
        1746522000,
        0,
        'root',
        'extend',
        {
            'decided_on': '2025-05-06',
            'decision_ref': 'NKD-2025-031',
            'months': 8,
            'note': ('Replacement framework not ready; decision signed after '
                     'the DPS ended'),
            'ref': 'HAV-CPDPS',
        },
        {'ok': True},
    ),
    (
        9,
        1746522000,
        0,
        'root',
        'extend',
        {
            'decided_on': '2025-05-02',
            'decision_ref': 'EQ-2025-007',
            'ref': 'HAV-EQUIP',
            'until': '2028-03-31',
        },
        {'ok': True},
    ),
    (10, 1746522000, 0, 'root', 'import', {'bytes': 800}, {'ok': True}),
    (
        11,
        1746522000,
        0,
        'root',
        'update',
        {'fields': {'successor_ref': 'HAV-ASCPF'}, 'ref': 'HAV-CPDPS'},
        {'ok': True},
    ),
    (
        12,
        1746522000,
        0,
        'root',
        'ack',
        {
            'kind': 'coverage_gap',
            'note': ("Children's supported living is re-let on its own "
                     '(CAB-2025-112)'),
            'ref': 'HAV-CPDPS',
        },
        {'ok': True},
    ),
    (
        13,
        1746871200,
        0,
        'root',
        'notify-test',
        {'channel': 'hook'},
        {'ok': True},
    ),
]
