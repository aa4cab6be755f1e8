"""The smtp plugin end to end, against a real SMTP server (aiosmtpd) on
127.0.0.1: every message parsed with Python's email package and its
calendar with icalendar; STARTTLS required, with a CA file; AUTH with a
password file; 421 retried with the same Message-ID, 550 and 535 dead at
once with the server's reply; one delivery per recipient, cc included;
notify-test; the seed's DPS mailed to its owner and director under
libfaketime."""
import datetime
import hashlib
import html
import json
import os
import re
import subprocess
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import CONTRACTD, PLUGIN_DIR, Daemon, wait_for
from smtpserver import SMTPServer

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(PLUGIN_DIR, "smtp.so")),
    reason="smtp plugin not built")

FROM = "contractd@council.example"
OWNER = "owner@council.example"
PASSWORD = "s3cret-Pa55"
TITLE = "Homecare \u2013 Havering <b>& \"Co\""


def today():
    return datetime.datetime.now(ZoneInfo("Europe/London")).date()


def long_date(d):
    return "%s (%s)" % (d.strftime("%A %-d %B %Y"), d.isoformat())


@pytest.fixture
def servers(workdir):
    made = []

    def make(**kw):
        s = SMTPServer(workdir, **kw)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def password_file(d, mode=0o600, password=PASSWORD):
    path = os.path.join(d.dir, "smtp.password")
    with open(path, "w") as f:
        f.write(password + "\n")
    os.chmod(path, mode)
    return path


def mail_config(d, url, keys=(), kinds="term_end", timeout=10):
    lines = ["[notifier email]", "plugin = smtp", "kinds = " + kinds,
             "url = " + url, "from = " + FROM]
    if timeout is not None:
        lines.append("timeout = %d" % timeout)
    d.write_config(extra="\n".join(lines + list(keys)) + "\n",
                   alerts_extra="term_end = 30\nprocurement_start =\n")


def add_due(d, ref, days=10, **fields):
    """A contract whose term_end/30 alert is past but its end ahead: it
    fires (late) as soon as it is added."""
    end = today() + datetime.timedelta(days=days)
    args = {"title": "Contract " + ref, "owner_email": OWNER,
            "end_date": end.isoformat()}
    args.update(fields)
    r = d.ctl("add", "ref=" + ref, *["%s=%s" % kv for kv in args.items()])
    assert r.returncode == 0, r.stderr
    return "%s/term_end/%s/30" % (ref, end.isoformat())


def outbox(d, state=None):
    args = ["outbox"] + (["--state", state] if state else [])
    r = d.ctl("--json", *args)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    return sorted((o for o in rows if o["channel"] == "email"),
                  key=lambda o: o["key"])


def message_id(key):
    return "<%s@council.example>" % hashlib.sha256(key.encode()).hexdigest()


def parts(msg):
    """(text, html, calendar part) of a message laid out as the plugin
    lays it out; asserts the structure on the way."""
    assert msg.get_content_type() == "multipart/mixed"
    top = list(msg.iter_parts())
    assert [p.get_content_type() for p in top] == [
        "multipart/alternative", "text/calendar"]
    alt = list(top[0].iter_parts())
    assert [p.get_content_type() for p in alt] == ["text/plain",
                                                   "text/html"]
    for p in alt:
        assert p.get_content_charset() == "utf-8"
        assert p["Content-Transfer-Encoding"] == "quoted-printable"
    cal = top[1]
    assert cal.get_param("method") == "PUBLISH"
    assert cal.get_content_charset() == "utf-8"
    assert cal.get_filename().endswith(".ics")
    return alt[0].get_content(), alt[1].get_content(), cal


def vevents(cal_part):
    cal = icalendar.Calendar.from_ical(cal_part.get_content())
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "contractd" in str(cal["PRODID"])
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_message_headers_parts_words_and_calendar(daemon, servers):
    srv = servers(tls="starttls")
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile,
                                  "reply_to = commissioning@council.example"])
    daemon.start()
    end = today() + datetime.timedelta(days=10)
    mx = end + datetime.timedelta(days=365)
    assert daemon.ctl("add", "ref=SM-NEXT", "title=Next",
                      "owner_email=next@council.example",
                      "end_date=2040-01-01").returncode == 0
    key = add_due(daemon, "SM-1", title=TITLE, owner_name="Pat Jones",
                  max_end_date=mx.isoformat(), successor_ref="SM-NEXT")
    assert wait_for(lambda: srv.to(OWNER)), daemon.logtext()
    rec = srv.to(OWNER)[0]
    assert rec["tls"] is True and rec["from"] == FROM
    raw, msg = rec["data"], rec["message"]
    assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
    # Headers.
    subject = ("[contractd] SM-1: term ends in 10 days (%s) - %s"
               % (end.isoformat(), TITLE))
    assert msg["Subject"] == subject
    assert re.search(rb"^Subject: =\?UTF-8\?B\?", raw, re.M)
    assert msg["From"] == FROM
    assert msg["To"] == OWNER
    assert msg["Reply-To"] == "commissioning@council.example"
    dkey = key + "/email/" + OWNER
    assert msg["Message-ID"] == message_id(dkey)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    sent = msg["Date"].datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - sent).total_seconds()) < 60
    assert msg["MIME-Version"] == "1.0"
    # The same facts in both parts.
    text, htm, cal = parts(msg)
    late = re.search(r"This alert is late: it was due on \w+ \d+ \w+ \d+ "
                     r"\((\d{4}-\d\d-\d\d)\)\.", text)
    assert late, text
    fired_for = datetime.date.fromisoformat(late.group(1))
    assert end - datetime.timedelta(days=33) <= fired_for <= \
        end - datetime.timedelta(days=30)
    facts = [
        "SM-1 (%s): term ends in 10 days (%s) (late)" % (TITLE,
                                                         end.isoformat()),
        "Contract: %s (SM-1)" % TITLE,
        "Milestone: the end of the term",
        "Due: %s, 10 days left" % long_date(end),
        "Current end: %s" % long_date(end),
        "Maximum end: %s" % long_date(mx),
        "Extension remaining: 365 days, to %s" % long_date(mx),
        "Successor: SM-NEXT",
        "Owner: Pat Jones <%s>" % OWNER,
        "If nothing is done, SM-NEXT must be in place the day after %s."
        % end.strftime("%-d %B %Y"),
        late.group(0),
        "To acknowledge this alert: contractctl ack SM-1 term_end",
    ]
    lines = [x for x in text.replace("\r\n", "\n").split("\n") if x]
    assert lines == facts
    for f in facts:
        label, _, value = f.partition(": ")
        if not value or f.startswith(("SM-1 ", "If ", "This ", "To ")):
            value = f
        assert html.escape(value) in htm, value
    assert "<b>&" not in htm
    assert "&lt;b&gt;&amp; &quot;Co&quot;" in htm
    # The calendar entry.
    ev, = vevents(cal)
    assert ev["DTSTART"].dt == end          # a date, not a date-time
    assert type(ev["DTSTART"].dt) is datetime.date
    assert ev["DTEND"].dt == end + datetime.timedelta(days=1)
    assert str(ev["UID"]) == "SM-1/term_end/%s@contractd" % end.isoformat()
    assert str(ev["SUMMARY"]) == subject
    assert str(ev["DESCRIPTION"]) == text.replace("\r\n", "\n")
    assert outbox(daemon, "delivered")[0]["key"] == dkey


def test_421_retried_with_the_same_message_id(daemon, servers):
    srv = servers(tls="starttls")
    srv.fail_first = 1
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile])
    daemon.start()
    key = add_due(daemon, "SM-2") + "/email/" + OWNER
    assert wait_for(lambda: outbox(daemon, "failed")), daemon.logtext()
    row, = outbox(daemon, "failed")
    assert row["key"] == key and row["attempts"] == 1
    assert "421 4.3.0 try again later" in row["last_error"], row
    assert srv.count() == 0
    assert daemon.ctl("retry", key).returncode == 0
    assert wait_for(lambda: srv.count() == 1)
    first, = srv.refused
    ids = [first["message"]["Message-ID"],
           srv.messages[0]["message"]["Message-ID"]]
    assert ids == [message_id(key)] * 2
    assert wait_for(lambda: outbox(daemon, "delivered"))
    assert outbox(daemon, "delivered")[0]["attempts"] == 2


def test_550_fails_alone_and_cc_gets_its_own(daemon, servers):
    srv = servers()
    srv.reject = {"gone@council.example"}
    mail_config(daemon, srv.url, ["tls = none",
                                  "cc = audit@council.example, "
                                  "boss@council.example"])
    daemon.start()
    key = add_due(daemon, "SM-3", notify="gone@council.example;"
                  "team@council.example")
    assert wait_for(lambda: len(outbox(daemon, "delivered")) == 4 and
                    outbox(daemon, "dead")), daemon.logtext()
    dead, = outbox(daemon, "dead")
    assert dead["key"] == key + "/email/gone@council.example"
    assert dead["attempts"] == 1
    assert "550 5.1.1 <gone@council.example>: recipient rejected" in \
        dead["last_error"], dead
    got = sorted(m["message"]["To"] for m in srv.messages)
    assert got == ["audit@council.example", "boss@council.example",
                   OWNER, "team@council.example"]
    assert all(m["to"] == [m["message"]["To"]] for m in srv.messages)
    assert not any(m["tls"] for m in srv.messages)      # tls = none
    ids = {m["message"]["Message-ID"] for m in srv.messages}
    assert len(ids) == 4


def test_no_starttls_sends_nothing(daemon, servers):
    srv = servers()                        # plain, no STARTTLS offered
    mail_config(daemon, srv.url)
    daemon.start()
    add_due(daemon, "SM-4")
    assert wait_for(lambda: outbox(daemon, "failed")), daemon.logtext()
    row, = outbox(daemon, "failed")
    assert row["last_error"] == ("the server does not offer STARTTLS, "
                                 "which tls = starttls requires: nothing "
                                 "was sent")
    assert srv.count() == 0 and srv.refused == []


def test_smtps_implicit_tls(daemon, servers):
    srv = servers(tls="implicit")
    assert srv.url.startswith("smtps://")
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile])
    daemon.start()
    add_due(daemon, "SM-7")
    assert wait_for(lambda: srv.count() == 1), daemon.logtext()
    assert srv.messages[0]["tls"] is True
    assert "tls = none" not in daemon.logtext()


def test_auth_plain_with_password_file(daemon, servers):
    srv = servers(tls="starttls", password=PASSWORD)
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile,
                                  "username = contractd",
                                  "password_file = " +
                                  password_file(daemon)])
    daemon.start()
    add_due(daemon, "SM-5")
    assert wait_for(lambda: srv.count() == 1), daemon.logtext()
    assert wait_for(lambda: outbox(daemon, "delivered"))
    assert PASSWORD not in daemon.logtext()


def test_wrong_password_is_a_dead_letter(daemon, servers):
    srv = servers(tls="starttls", password=PASSWORD)
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile,
                                  "username = contractd",
                                  "password_file = " +
                                  password_file(daemon, password="wrong")])
    daemon.start()
    key = add_due(daemon, "SM-6") + "/email/" + OWNER
    assert wait_for(lambda: outbox(daemon, "dead")), daemon.logtext()
    r = daemon.ctl("outbox", "--state", "dead")
    assert r.returncode == 0 and key in r.stdout
    row, = outbox(daemon, "dead")
    assert row["attempts"] == 1
    assert "535 5.7.8 Authentication credentials invalid" in \
        row["last_error"], row
    assert srv.count() == 0


def test_loose_password_file_refused_at_start(daemon):
    path = password_file(daemon, mode=0o644)
    mail_config(daemon, "smtp://127.0.0.1:9", ["username = contractd",
                                               "password_file = " + path])
    with open(daemon.conf) as f:
        line = [n for n, x in enumerate(f, 1)
                if x.startswith("password_file")][0]
    want = ("%s:%d: [notifier email] password_file: %s: mode 0644 gives "
            "group or others access; chmod 600 it" % (daemon.conf, line,
                                                      path))
    r = subprocess.run([CONTRACTD, "-t", "-c", daemon.conf],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and r.stderr.splitlines() == [want]
    r = subprocess.run([CONTRACTD, "-f", "-c", daemon.conf],
                       capture_output=True, text=True, timeout=30,
                       env=daemon.env())
    assert r.returncode != 0 and want in r.stderr
    assert PASSWORD not in r.stderr


def test_config_errors_with_their_lines(daemon):
    mail_config(daemon, "smtps://127.0.0.1:465", [
        "tls = starttls", "cc = not-an-address", "colour = blue",
        "timeout = 0"], timeout=None)
    with open(daemon.conf) as f:
        text = f.read().splitlines()
    c = daemon.conf

    def at(prefix):
        return [n for n, x in enumerate(text, 1) if x.startswith(prefix)][-1]
    r = subprocess.run([CONTRACTD, "-t", "-c", c], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "%s:%d: [notifier email] cc: not an address: not-an-address"
        % (c, at("cc =")),
        "%s:%d: [notifier email] unknown key 'colour' (the smtp notifier "
        "takes url, from, cc, reply_to, tls, ca_file, username, "
        "password_file and timeout)" % (c, at("colour")),
        "%s:%d: [notifier email] timeout: not a number of seconds from 1 "
        "to 3600: 0" % (c, at("timeout = 0")),
        "%s:%d: [notifier email] tls: starttls does not go with an "
        "smtps:// url (smtps:// is tls = implicit, smtp:// is starttls or "
        "none)" % (c, at("tls =")),
    ]


def test_notify_test_sends_a_real_message(daemon, servers):
    srv = servers(tls="starttls")
    mail_config(daemon, srv.url, ["ca_file = " + srv.cafile])
    daemon.start()
    r = daemon.ctl("--json", "notify-test", "email", "--to",
                   "someone@council.example")
    assert r.returncode == 0, r.stderr
    key = json.loads(r.stdout)["key"]
    assert wait_for(lambda: srv.count() == 1), daemon.logtext()
    msg = srv.messages[0]["message"]
    assert msg["To"] == "someone@council.example"
    assert msg["Message-ID"] == message_id(key)
    assert msg["Subject"].startswith("[contractd] test: TEST: ")
    alt, = msg.iter_parts()                 # no calendar for a test
    text = list(alt.iter_parts())[0].get_content()
    assert "This is a test message: nothing needs doing." in text


def test_seed_owner_and_director_mailed_under_faketime(workdir, servers):
    srv = servers()
    d = Daemon(workdir)
    d.write_config()
    d.start(faketime="@2025-01-29 12:00:00")
    try:
        from test_engine import HEADER, DPS_ROW
        path = os.path.join(workdir, "seed.csv")
        with open(path, "w") as f:
            f.write(HEADER + DPS_ROW)
        assert d.ctl("import", path).returncode == 0
        assert d.ctl("update", "HAV-CPDPS",
                     "notify=director@council.example").returncode == 0
    finally:
        assert d.stop() == 0
    mail_config(d, srv.url, ["tls = none"], kinds="extension_deadline")
    owner, director = "commissioning@council.example", \
        "director@council.example"
    for when, offset in (("2025-01-30", 60), ("2025-02-28", 30)):
        d.start(faketime="@%s 08:59:57" % when)
        try:
            n = 2 if offset == 60 else 4
            assert wait_for(lambda: srv.count() == n, timeout=20), \
                d.logtext()
            assert "tls = none: mail, and any password, go to" in \
                d.logtext()
        finally:
            assert d.stop() == 0
    for who in (owner, director):
        first, second = [m["message"] for m in srv.to(who)]
        assert second["To"] == who
        assert second["Subject"] == (
            "[contractd] HAV-CPDPS: extension decision due in 31 days "
            "(2025-03-31) - Complex Placements DPS")
        assert second["Date"].datetime == datetime.datetime(
            2025, 2, 28, 9, 0, second["Date"].datetime.second,
            tzinfo=datetime.timezone.utc)
        key = "HAV-CPDPS/extension_deadline/2025-03-31/30/email/" + who
        assert second["Message-ID"] == message_id(key)
        text, _, cal = parts(second)
        assert "If nothing is done, the contract ends on 30 April 2025 " \
            "without being extended." in text
        assert "contractctl ack HAV-CPDPS extension_deadline" in text
        uids = [str(ev["UID"]) for m in (first, second)
                for ev in vevents(parts(m)[2])]
        assert uids == ["HAV-CPDPS/extension_deadline/2025-03-31@"
                        "contractd"] * 2
