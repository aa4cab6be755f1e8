"""Retry-After as libcurl reads it (CURLINFO_RETRY_AFTER): an HTTP-date
as well as delay-seconds, and a receiver that asks for more than a day
is held to one."""
import datetime
import email.utils
import time

from conftest import wait_for
from test_webhook import add_due, hook_config, outbox, receiver  # noqa: F401


def next_attempt_in(daemon):
    assert wait_for(lambda: outbox(daemon, "failed"), timeout=10)
    row = outbox(daemon, "failed")[0]
    nxt = datetime.datetime.fromisoformat(row["next_attempt"])
    return (nxt - datetime.datetime.now(datetime.timezone.utc)) \
        .total_seconds()


def test_retry_after_http_date(daemon, receiver):  # noqa: F811
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    receiver.default = (503, {"Retry-After": when})
    hook_config(daemon, receiver.url)
    daemon.start()
    add_due(daemon, "RA-1")
    wait = next_attempt_in(daemon)
    assert 590 <= wait <= 602, wait


def test_retry_after_capped_at_a_day(daemon, receiver):  # noqa: F811
    receiver.default = (429, {"Retry-After": "999999"})
    hook_config(daemon, receiver.url)
    daemon.start()
    add_due(daemon, "RA-2")
    wait = next_attempt_in(daemon)
    assert 86390 <= wait <= 86402, wait
