"""Durable dispatch through the webhook plugin to a real HTTP receiver on
127.0.0.1: payload, signatures, retries, Retry-After, 410, dead letters,
crash safety under SIGKILL, and a receiver that never answers."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import Daemon, wait_for
from receiver import Receiver

SECRET_BYTES = b"contractd-test-secret-0123456789"
SECRET = "whsec_" + base64.b64encode(SECRET_BYTES).decode()


def today():
    return datetime.datetime.now(ZoneInfo("Europe/London")).date()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def hook_config(d, url, extra="", daemon_extra="", secret=True, timeout=5):
    lines = ["[notifier hook]", "plugin = webhook", "kinds = term_end",
             "url = " + url, "timeout = %d" % timeout,
             "connect_timeout = 2"]
    if secret:
        path = os.path.join(d.dir, "hook.secret")
        with open(path, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(path, 0o600)
        lines.append("secret_file = " + path)
    # No procurement alerts: those of a contract ending in days are
    # overdue and would go to the log channel too.
    d.write_config(extra="\n".join(lines) + "\n" + extra,
                   daemon_extra=daemon_extra,
                   alerts_extra="term_end = 30\nprocurement_start =\n")


def add_due(d, ref, days=10):
    """A contract whose term_end/30 alert is past but its end ahead: it
    fires as soon as it is added."""
    end = today() + datetime.timedelta(days=days)
    r = d.ctl("add", "ref=" + ref, "title=Contract " + ref,
              "owner_email=owner@council.example",
              "end_date=" + end.isoformat())
    assert r.returncode == 0, r.stderr
    return "%s/term_end/%s/30" % (ref, end.isoformat())


def outbox(d, state=None, channel="hook"):
    """The outbox rows of one channel (the log channel gets every alert
    too)."""
    args = ["outbox"] + (["--state", state] if state else [])
    r = d.ctl("--json", *args)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    return [o for o in rows if o["channel"] == channel]


def verify(req):
    """Standard Webhooks verification, independently of the daemon."""
    h = req["headers"]
    signed = b"%s.%s.%s" % (h["webhook-id"].encode(),
                            h["webhook-timestamp"].encode(), req["body"])
    mac = base64.b64encode(hmac.new(SECRET_BYTES, signed,
                                    hashlib.sha256).digest()).decode()
    return h["webhook-signature"] == "v1," + mac


def test_alert_arrives_once_signed_with_payload(daemon, receiver):
    hook_config(daemon, receiver.url)
    daemon.start()
    key = add_due(daemon, "WH-1")
    assert wait_for(lambda: receiver.count() >= 1)
    time.sleep(1)
    assert receiver.count() == 1
    req = receiver.requests[0]
    assert req["path"] == "/hook"
    h = req["headers"]
    assert h["content-type"] == "application/json"
    assert h["webhook-id"] == key + "/hook"
    assert abs(int(h["webhook-timestamp"]) - time.time()) < 60
    assert verify(req)
    body = json.loads(req["body"])
    end = (today() + datetime.timedelta(days=10)).isoformat()
    assert body["type"] == "contract.alert"
    assert body["key"] == key
    assert body["milestone"] == "term_end"
    assert body["due"] == end
    assert body["offset_days"] == 30
    assert body["days_left"] == 10
    assert body["late"] is True          # its instant was 20 days ago
    assert body["lapsed_extension"] is False
    assert body["contract"]["ref"] == "WH-1"
    assert body["contract"]["title"] == "Contract WH-1"
    assert body["contract"]["end_date"] == end
    assert body["contract"]["owner_email"] == "owner@council.example"
    assert body["fired_at"].endswith("Z")
    assert body["fire_at"].endswith(":00")
    rows = outbox(daemon, "delivered")
    assert [(o["key"], o["attempts"], o["channel"]) for o in rows] == [
        (key + "/hook", 1, "hook")]
    st = daemon.ctl_json("status")["outbox"]
    assert (st["pending"], st["failed"], st["dead"], st["delivered"]) == \
        (0, 0, 0, 2)        # to the hook and to the log


@pytest.mark.timing
def test_retry_after_then_success_same_id(daemon, receiver):
    receiver.script = [(500, {"Retry-After": "1"}),
                       (503, {"Retry-After": "1"})]
    hook_config(daemon, receiver.url)
    daemon.start()
    key = add_due(daemon, "WH-2")
    assert wait_for(lambda: receiver.count() >= 3, timeout=20)
    time.sleep(1)
    assert receiver.count() == 3
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert ids == {key + "/hook"}
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.requests,
                                              receiver.requests[1:])]
    assert all(0.8 < g < 5 for g in gaps), gaps
    assert wait_for(lambda: outbox(daemon, "delivered"))
    assert outbox(daemon, "delivered")[0]["attempts"] == 3


@pytest.mark.timing
def test_backoff_without_retry_after(daemon, receiver):
    receiver.default = (500, {})
    hook_config(daemon, receiver.url)
    daemon.start()
    add_due(daemon, "WH-3")
    assert wait_for(lambda: outbox(daemon, "failed"), timeout=10)
    row = outbox(daemon, "failed")[0]
    assert row["attempts"] == 1
    assert "500" in row["last_error"]
    nxt = datetime.datetime.fromisoformat(row["next_attempt"])
    wait = (nxt - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 20 <= wait <= 37, wait      # 30 s with +-20 % jitter


def test_410_disables_channel(daemon, receiver):
    receiver.default = (410, {})
    hook_config(daemon, receiver.url)
    daemon.start()
    add_due(daemon, "WH-4")
    assert wait_for(lambda: daemon.ctl_json("status")["channels"][1]
                    ["disabled"], timeout=10)
    ch = daemon.ctl_json("status")["channels"][1]
    assert ch["name"] == "hook" and "410" in ch["disabled_reason"]
    assert "channel hook disabled until reload" in daemon.logtext()
    assert "DISABLED" in daemon.ctl("status").stdout
    n = receiver.count()
    add_due(daemon, "WH-5")
    time.sleep(1.5)
    assert receiver.count() == n        # nothing more goes to it
    receiver.default = (200, {})
    assert daemon.ctl("reload").returncode == 0
    assert not daemon.ctl_json("status")["channels"][1]["disabled"]


def test_permanent_failure_is_dead_then_retry(daemon, receiver):
    receiver.script = [(404, {})]
    hook_config(daemon, receiver.url)
    daemon.start()
    key = add_due(daemon, "WH-6") + "/hook"
    assert wait_for(lambda: outbox(daemon, "dead"), timeout=10)
    row = outbox(daemon, "dead")[0]
    assert row["key"] == key and "404" in row["last_error"]
    r = daemon.ctl("retry", key)
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: outbox(daemon, "delivered"), timeout=10)
    assert receiver.count() == 2
    r = daemon.ctl("--json", "retry", "no/such/key")
    assert json.loads(r.stdout)["error"]["code"] == "not_found"


def test_unreachable_goes_dead_after_max_age(daemon):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                           # nothing listens there
    hook_config(daemon, "http://127.0.0.1:%d/hook" % port,
                daemon_extra="max_age = 3s")
    daemon.start()
    add_due(daemon, "WH-7")
    assert wait_for(lambda: outbox(daemon, "dead"), timeout=20)
    row = outbox(daemon, "dead")[0]
    assert row["attempts"] == 2
    assert "onnect" in row["last_error"]
    assert daemon.ctl_json("status")["outbox"]["dead"] == 1


def test_notify_test_goes_through_the_real_path(daemon, receiver):
    hook_config(daemon, receiver.url, secret=False)
    daemon.start()
    r = daemon.ctl("--json", "notify-test", "hook")
    assert r.returncode == 0, r.stderr
    key = json.loads(r.stdout)["key"]
    assert wait_for(lambda: receiver.count() == 1)
    req = receiver.requests[0]
    assert req["headers"]["webhook-id"] == key
    assert "webhook-signature" not in req["headers"]
    assert json.loads(req["body"])["type"] == "contract.test"
    r = daemon.ctl("notify-test", "nosuch")
    assert r.returncode == 1 and "not_found" in r.stderr


def test_slack_and_teams_formats(daemon, receiver):
    extra = ("[notifier slack]\nplugin = webhook\nkinds = term_end\n"
             "format = slack\nurl = %s/slack\n"
             "[notifier teams]\nplugin = webhook\nkinds = term_end\n"
             "format = teams\nurl = %s/teams\n" % (receiver.url,
                                                    receiver.url))
    hook_config(daemon, receiver.url, extra=extra, secret=False)
    daemon.start()
    add_due(daemon, "WH-8")
    assert wait_for(lambda: receiver.count() == 3)
    by_path = {r["path"]: json.loads(r["body"]) for r in receiver.requests}
    slack = by_path["/hook/slack"]
    assert list(slack) == ["text"]
    assert slack["text"].startswith("[contractd] WH-8 (Contract WH-8): ")
    assert "in 10 days" in slack["text"]
    teams = by_path["/hook/teams"]
    assert teams["type"] == "message"
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"


@pytest.mark.timing
def test_silent_receiver_does_not_block_ping(daemon, receiver):
    receiver.hang = True
    hook_config(daemon, receiver.url)
    daemon.start()
    for i in range(5):
        add_due(daemon, "WH-H%d" % i)
    assert wait_for(lambda: daemon.ctl_json("status")["in_flight"] > 0)
    worst = 0
    for _ in range(20):
        t0 = time.monotonic()
        assert daemon.request({"v": 1, "cmd": "ping"})["ok"]
        worst = max(worst, time.monotonic() - t0)
    assert worst < 0.1, worst


@pytest.mark.timing
def test_sigkill_loses_nothing(workdir, receiver):
    receiver.delay = 0.02
    d = Daemon(workdir)
    hook_config(d, receiver.url, daemon_extra="max_transfers = 8")
    n = 500
    end = today() + datetime.timedelta(days=10)
    rows = "".join("K-%03d,Contract %d,%s\n" % (i, i, end.isoformat())
                   for i in range(n))
    path = os.path.join(workdir, "many.csv")
    with open(path, "w") as f:
        f.write("ref,title,end_date\n" + rows)
    d.start()
    r = d.ctl("--json", "import", path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["fired"] >= n
    rng = random.Random(4242)
    for _ in range(10):
        time.sleep(rng.uniform(0.05, 0.6))
        d.kill()
        d.start()
    assert wait_for(lambda: d.ctl_json("status")["outbox"]["delivered"]
                    == 2 * n, timeout=120), d.ctl_json("status")
    assert d.stop() == 0
    seen = {}
    for req in receiver.requests:
        key = json.loads(req["body"])["key"]
        seen.setdefault(key, set()).add(req["headers"]["webhook-id"])
    want = {"K-%03d/term_end/%s/30" % (i, end.isoformat())
            for i in range(n)}
    assert set(seen) == want
    assert all(ids == {k + "/hook"} for k, ids in seen.items())


@pytest.mark.timing
def test_sigterm_waits_then_leaves_delivery_pending(daemon, receiver):
    receiver.hang = True
    hook_config(daemon, receiver.url, timeout=60)
    daemon.start()
    key = add_due(daemon, "WH-T") + "/hook"
    assert wait_for(lambda: daemon.ctl_json("status")["in_flight"] > 0)
    t0 = time.monotonic()
    assert daemon.stop() == 0
    took = time.monotonic() - t0
    assert 3 < took < 15, took          # waited for it, a bounded time
    assert "still in flight: they stay in the outbox" in daemon.logtext()
    receiver.hang = False
    daemon.start()
    assert wait_for(lambda: [o for o in outbox(daemon, "delivered")
                             if o["key"] == key], timeout=20)
    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert ids == [key]


@pytest.mark.timing
def test_sighup_while_stopping_is_ignored(daemon, receiver):
    receiver.hang = True
    hook_config(daemon, receiver.url, timeout=60)
    daemon.start()
    add_due(daemon, "WH-S")
    assert wait_for(lambda: daemon.ctl_json("status")["in_flight"] > 0)
    daemon.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.proc.wait(30) == 0
    daemon.proc = None
    daemon.log.close()
