"""The weekly digest end to end, under libfaketime, through the smtp
plugin to a real SMTP server (aiosmtpd): one message per recipient on the
configured day and time, listing their contracts' milestones within the
horizon, overdue first, soonest first, with their ack state; nobody with
nothing due gets one; a restart on the digest day sends no second digest,
and a digest day spent down is caught up at the next start."""
import hashlib
import json
import os
import re
import subprocess
import time

import pytest

from conftest import CONTRACTD, PLUGIN_DIR, Daemon, wait_for
from smtpserver import SMTPServer

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(PLUGIN_DIR, "smtp.so")),
    reason="smtp plugin not built")

OWNER = "owner@council.example"
OTHER = "director@council.example"
IDLE = "nothing-due@council.example"

# Sunday, the day before the digest: contracts are added then.
SETUP = "@2025-03-30 12:00:00"
DIGEST_DAY = "2025-03-31"         # a Monday, ISO week 2025-W14


def config(d, url):
    d.write_config(extra="""
[notifier email]
plugin = smtp
kinds = expired
url = %s
from = contractd@council.example
tls = none
timeout = 10

[digest]
day = monday
time = 08:00
horizon_days = 90
channels = email
""" % url)


def add(d, ref, end, **fields):
    args = {"title": "Contract " + ref, "owner_email": OWNER,
            "end_date": end}
    args.update(fields)
    r = d.ctl("add", "ref=" + ref, *["%s=%s" % kv for kv in args.items()])
    assert r.returncode == 0, r.stderr


def setup_register(d):
    """Three contracts of OWNER within the horizon (one notifies OTHER,
    one has an extension deadline already overdue), and their successor,
    IDLE's, which ends beyond it."""
    d.start(faketime=SETUP)
    try:
        add(d, "NEXT", "2027-12-31", owner_email=IDLE)
        add(d, "C-APR", "2025-04-10", successor_ref="NEXT")
        add(d, "C-MAY", "2025-05-20", successor_ref="NEXT",
            notify=OTHER + ";" + OWNER)
        add(d, "C-EXT", "2025-04-25", max_end_date="2025-10-31",
            extension_notice_days="30", successor_ref="NEXT")
        r = d.ctl("ack", "C-APR", "term_end", "--note", "in hand")
        assert r.returncode == 0, r.stderr
    finally:
        assert d.stop() == 0


def message_id(key):
    return "<%s@council.example>" % hashlib.sha256(key.encode()).hexdigest()


def text_of(msg):
    assert msg.get_content_type() == "multipart/mixed"
    alt, = msg.iter_parts()             # no calendar in a digest
    text, html = alt.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    return text.get_content(), html.get_content()


def listed(text):
    """(ref, what) of each milestone line, in the message's order."""
    return re.findall(r"^(C-[A-Z]+|NEXT) \(Contract [A-Z-]+\): (.+?) "
                      r"\(\d{4}-\d\d-\d\d\)", text, re.M)


OWNER_LIST = [
    ("C-EXT", "extension decision was due 5 days ago"),
    ("C-APR", "term ends in 10 days"),
    ("C-APR", "expires in 11 days"),
    ("C-EXT", "term ends in 25 days"),
    ("C-EXT", "expires in 26 days"),
    ("C-MAY", "term ends in 50 days"),
    ("C-MAY", "expires in 51 days"),
]


@pytest.fixture
def smtp(workdir):
    srv = SMTPServer(workdir)
    yield srv
    srv.close()


def test_one_digest_per_recipient_on_the_day(workdir, smtp):
    d = Daemon(workdir)
    config(d, smtp.url)
    setup_register(d)
    assert smtp.count() == 0
    d.start(faketime="@%s 07:59:57" % DIGEST_DAY)
    try:
        assert wait_for(lambda: smtp.count() == 2, timeout=20), d.logtext()
        time.sleep(1)
        assert smtp.count() == 2
        assert "weekly digest: 2 recipients" in d.logtext()
        rows = json.loads("[" + ",".join(
            d.ctl("--json", "outbox", "--state", "delivered").stdout.splitlines()) + "]")
    finally:
        assert d.stop() == 0
    assert smtp.to(IDLE) == []
    mine, = smtp.to(OWNER)
    msg = mine["message"]
    assert msg["To"] == OWNER
    assert msg["Subject"] == ("[contractd] Weekly digest: 7 milestones "
                              "within 90 days, 1 overdue (week 2025-W14)")
    assert msg["Message-ID"] == message_id(
        "digest/%s/2025-W14/email/%s" % (OWNER, OWNER))
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"].datetime.strftime("%Y-%m-%d %H:%M") == \
        "2025-03-31 07:00"                  # 08:00 BST
    text, html = text_of(msg)
    assert listed(text) == OWNER_LIST
    assert "(overdue)" in text.split("C-APR")[0]
    assert "Due: Wednesday 26 March 2025 (2025-03-26), 5 days ago" in text
    assert "Due: Thursday 10 April 2025 (2025-04-10), 10 days left" in text
    # The acknowledged term end says so; the others say how.
    apr = text.split("C-APR (Contract C-APR): term ends")[1]
    assert apr.split("\n\n")[0].count("Acknowledged: yes") == 1
    assert "Acknowledged: no: contractctl ack C-MAY term_end" in text
    assert "Acknowledged: no: contractctl ack C-EXT extension_deadline" \
        in text
    for day in ("2025-03-26", "2025-04-10", "2025-05-21"):
        assert day in html
    theirs, = smtp.to(OTHER)
    assert listed(text_of(theirs["message"])[0]) == [
        ("C-MAY", "term ends in 50 days"), ("C-MAY", "expires in 51 days")]
    assert theirs["message"]["Subject"] == (
        "[contractd] Weekly digest: 2 milestones within 90 days "
        "(week 2025-W14)")
    digests = sorted((r["key"], r["alert_key"]) for r in rows
                     if r["key"].startswith("digest/"))
    assert digests == [("digest/%s/2025-W14/email/%s" % (a, a),
                        "digest/%s/2025-W14" % a)
                       for a in sorted((OTHER, OWNER))]


def test_restart_repeats_none_and_downtime_loses_none(workdir, smtp):
    d = Daemon(workdir)
    config(d, smtp.url)
    setup_register(d)
    d.start(faketime="@%s 07:59:58" % DIGEST_DAY)
    try:
        assert wait_for(lambda: smtp.count() == 2, timeout=20), d.logtext()
    finally:
        assert d.stop() == 0
    # The same day, later: the week's digest is made.
    d.start(faketime="@%s 10:00:00" % DIGEST_DAY)
    try:
        time.sleep(2)
    finally:
        assert d.stop() == 0
    assert smtp.count() == 2
    # Down over the next Monday 08:00: made at start, once.
    d.start(faketime="@2025-04-07 09:30:00")
    try:
        assert wait_for(lambda: smtp.count() == 4, timeout=20), d.logtext()
        time.sleep(1)
    finally:
        assert d.stop() == 0
    assert smtp.count() == 4
    late = smtp.to(OWNER)[1]["message"]
    assert late["Subject"].endswith("(week 2025-W15)")
    assert late["Message-ID"] == message_id(
        "digest/%s/2025-W15/email/%s" % (OWNER, OWNER))
    assert listed(text_of(late)[0])[0] == (
        "C-EXT", "extension decision was due 12 days ago")


def check(daemon):
    return subprocess.run([CONTRACTD, "-t", "-c", daemon.conf],
                          capture_output=True, text=True)


def line_of(path, text):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith(text):
                return n
    raise AssertionError(text)


def test_digest_config_errors(daemon):
    daemon.write_config(extra="""
[notifier log]
plugin = log

[digest]
day = funday
time = 25:00
horizon_days = -1
channels = log, email
""")
    r = check(daemon)
    assert r.returncode != 0
    conf = daemon.conf
    for key, msg in (
            ("day", "not a day of the week (monday ... sunday): funday"),
            ("time", "not a time of day HH:MM: 25:00"),
            ("horizon_days", "not a number of days from 0 to 3650: -1"),
            ("channels", "no [notifier email] section")):
        want = "%s:%d: %s: %s" % (conf, line_of(conf, key + " ="), key, msg)
        assert want in r.stderr, r.stderr


def test_digest_needs_channels(daemon):
    daemon.write_config(extra="[digest]\nday = friday\n")
    r = check(daemon)
    assert r.returncode != 0
    assert "%s:%d: [digest] needs 'channels =': the channels the digest " \
        "is sent through" % (daemon.conf, line_of(daemon.conf, "[digest]")) \
        in r.stderr, r.stderr
