"""Property test of agenda and simulate: the daemon answers from its store
exactly what the engine derives of its contracts.

A few hundred random contracts (seeded) are imported into a real daemon
whose clock libfaketime holds at noon of a known day.  For random
windows, `agenda --days N` must list exactly the milestones due in
[today, today + N], and `simulate --from A --to B` exactly the alerts
whose alert date is in [A, B], as tests/unit/engine-oracle computes them
from the same CSV file and settings with engine_milestones and
engine_alerts (coverage across the whole file, as the store answers it).
The agenda comes by due date, ref and the engine's kind order, every row
acked false but those acknowledged; simulate by fire_at, contract and
milestone (DESIGN 9), whatever was acknowledged or silenced; neither cut
short.  Then contracts are changed and added, a few milestones
acknowledged and contracts silenced, and the windows asked again.

The contracts mix what the store's agenda treats apart: start dates or
none, max_end_date blank, equal to end_date or later; notice and lead
days of their own (0 and 3650 among them) or the config's; successors
that exist, that do not (in one case) or none; services shared so
that some ends are covered the next day and some are not, lists with
blanks, duplicates and empty items; refs alike in their first 16 bytes;
titles with commas, quotes and non-ASCII text.
"""
import collections
import csv
import datetime
import io
import json
import os
import random
import subprocess

import pytest

from conftest import BUILDDIR, HOLIDAYS, WRAPPER, Daemon

ORACLE = os.path.join(BUILDDIR, "tests", "unit", "engine-oracle")

# Under a wrapper (valgrind) the daemon is many times slower.
NCONTRACTS = 90 if WRAPPER else 320
NWINDOWS = 1 if WRAPPER else 3      # random windows of each command
NEDGES = 1 if WRAPPER else 2        # dates to put windows' ends next to
NCHANGES = 10 if WRAPPER else 40
NACKS = 2 if WRAPPER else 6         # milestones acknowledged, and silences

# The engine's kind order (engine.h): the agenda's last sort key.
KIND_ORDER = {k: i for i, k in enumerate((
    "extension_deadline", "term_end", "procurement_start", "coverage_gap",
    "expired"))}

FIELDS = ["ref", "title", "kind", "start_date", "end_date", "max_end_date",
          "extension_notice_days", "procurement_lead_days", "successor_ref",
          "services", "value", "notes"]

# Enough keys that most are shared by a few contracts only: followers
# (Generator.follower) make the shares that cover an end or miss it.
SERVICES = ["%s:%s" % (a, b) for a in (
    "residential", "nursing", "supported-living", "live-in", "homecare",
    "respite_1", "day-ops", "reablement.team") for b in (
    "LD", "MH", "OP", "children", "north", "south", "east", "west", "PD",
    "autism")]

TITLES = ["Home care", "Residential, nursing and respite",
          'The "complex" placements DPS', "Café services — £ and €",
          "Supported living (LD)", "Day opportunities; outreach",
          "Reablement\tteam"]

# [alerts] settings: the daemon's config lines and the oracle's options.
SETTINGS = {
    "defaults": {},
    "tuned": {"extension_notice_days": "45", "procurement_lead_days": "200",
              "term_end": "365,180,30,1,0",
              "procurement_start": "400,90,30,7,0",
              "coverage_gap": "120,14,0"},
}


def day(s):
    return datetime.date.fromisoformat(s)


def iso(d):
    return d.isoformat()


class Generator:
    """Random contracts around day today, from seed."""

    def __init__(self, seed, today, dangling):
        self.rnd = random.Random(seed)
        self.today = today
        self.dangling = dangling
        self.refs = set()
        self.pending = []       # successor refs no contract has yet

    def ref(self):
        r = self.rnd
        while True:
            style = r.randrange(5)
            n = r.randrange(10000)
            if style == 0:
                ref = "C%d" % n
            elif style == 1:    # alike in the first 16 bytes and more
                ref = "HAV-COMMISSIONING-2026/%04d" % n
            elif style == 2:
                ref = "HAV-COMMISSIONING-2026/%04d.%s" % (
                    n % 50, r.choice("abAB_-"))
            elif style == 3:
                ref = r.choice(["a", "Z", "m.", "x_", "9-"]) + str(n % 300)
            else:
                ref = "".join(r.choice("ABCxyz019._/-")
                              for _ in range(r.randint(1, 64)))
            if ref not in self.refs:
                self.refs.add(ref)
                return ref

    def services(self, keys=None):
        r = self.rnd
        if keys is None:
            if r.random() < 0.12:
                return r.choice(["", " ; ;"])
            keys = r.sample(SERVICES, r.randint(1, 3))
        items = list(keys)
        if r.random() < 0.15:
            items.append(r.choice(items))       # a key twice
        if r.random() < 0.15:
            items.insert(r.randrange(len(items) + 1), "")   # an empty item
        return r.choice([";", "; ", " ;", " ; "]).join(items)

    def end(self):
        r = self.rnd
        if r.random() < 0.1:    # expiring or ending about today
            return self.today + datetime.timedelta(r.randint(-2, 2))
        return self.today + datetime.timedelta(r.randint(-600, 1000))

    def days(self):
        r = self.rnd
        if r.random() < 0.5:
            return ""
        return str(r.choice([0, 1, r.randint(2, 120), r.randint(120, 1000),
                             3650]))

    def row(self, end, start="random", services=None):
        r = self.rnd
        if start == "random":
            start = None if r.random() < 0.2 else \
                end - datetime.timedelta(r.randint(0, 1500))
        x = r.random()
        if x < 0.3:
            max_end = ""
        elif x < 0.45:
            max_end = iso(end)
        else:
            max_end = iso(end + datetime.timedelta(r.randint(1, 800)))
        return {
            "ref": self.ref(), "title": r.choice(TITLES),
            "kind": r.choice(["", "contract", "framework", "dps",
                              "call-off"]),
            "start_date": iso(start) if start else "", "end_date": iso(end),
            "max_end_date": max_end,
            "extension_notice_days": self.days(),
            "procurement_lead_days": self.days(),
            "successor_ref": "", "services": self.services(services),
            "value": r.choice(["", "1250000", "99.50"]), "notes": "",
        }

    def follower(self, base):
        """A contract taking over some of base's services about its end:
        the day after (covered), a day late or too soon (a gap)..."""
        r = self.rnd
        keys = [s.strip() for s in base["services"].split(";") if s.strip()]
        if not keys:
            keys = r.sample(SERVICES, 1)
        keys = r.sample(keys, r.randint(1, len(keys)))
        end = day(base["end_date"])
        x = r.random()
        if x < 0.15:
            start = None
            fend = end + datetime.timedelta(r.choice([0, 1, 2, 400]))
        else:
            start = end + datetime.timedelta(r.choice(
                [-200, -1, 0, 1, 1, 1, 2, 5]))
            fend = max(start, end + datetime.timedelta(r.choice(
                [0, 1, 1, 30, 700])))
        return self.row(fend, start, keys)

    def contracts(self, n):
        r = self.rnd
        rows = []
        while len(rows) < n:
            if rows and r.random() < 0.35:
                rows.append(self.follower(r.choice(rows)))
            else:
                rows.append(self.row(self.end()))
        for c in rows:
            self.successor(c, rows)
        r.shuffle(rows)
        return rows

    def successor(self, c, rows):
        r = self.rnd
        x = r.random()
        if x < 0.3:
            c["successor_ref"] = r.choice(
                [o["ref"] for o in rows if o is not c])
        elif x < 0.45 and self.dangling:
            c["successor_ref"] = "NOT-YET/" + c["ref"][-20:]
            self.pending.append(c["successor_ref"])


def csv_text(rows, rnd):
    """The import file: every field, the columns in a random order."""
    cols = FIELDS[:]
    rnd.shuffle(cols)
    out = io.StringIO()
    w = csv.DictWriter(out, cols, lineterminator=rnd.choice(["\n", "\r\n"]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def daemon_alerts_config(settings):
    return "".join("%s = %s\n" % kv for kv in sorted(settings.items()))


def oracle_args(settings, today):
    args = [ORACLE, "-t", iso(today), "-H", HOLIDAYS, "-W", "yes", "-z", "Europe/London",
            "-T", "09:00"]
    for k, v in sorted(settings.items()):
        if k == "extension_notice_days":
            args += ["-n", v]
        elif k == "procurement_lead_days":
            args += ["-l", v]
        else:
            args += ["-o", "%s=%s" % (k, v)]
    return args


class Expected:
    """What the oracle derives of a CSV file."""

    def __init__(self, path, settings, today):
        assert os.access(ORACLE, os.X_OK), \
            "%s is built by make check TESTS=" % ORACLE
        r = subprocess.run(oracle_args(settings, today) + [path],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        self.milestones = []
        self.alerts = []
        for line in r.stdout.splitlines():
            o = json.loads(line)
            if o["type"] == "milestone":
                self.milestones.append(o)
            else:
                self.alerts.append(o)

    def agenda(self, today, n, acked):
        """The window's milestones, and before it those overdue (none of
        which hold_some acknowledges)."""
        last = today + datetime.timedelta(n)
        return [(m["ref"], m["title"], m["milestone"], m["due"],
                 (day(m["due"]) - today).days,
                 (m["ref"], m["milestone"], m["due"]) in acked,
                 m["overdue_days"] > 0)
                for m in self.milestones
                if today <= day(m["due"]) <= last or m["overdue_days"] > 0]

    def simulate(self, a, b):
        return [(x["fire_at"], x["contract"], x["milestone"], x["due"],
                 x["offset_days"])
                for x in self.alerts if a <= day(x["date"]) <= b]


def lines_of(d, *args):
    r = d.ctl("--json", *args)
    assert r.returncode == 0, (args, r.stderr)
    assert "cut short" not in r.stderr, (args, r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines()]


def compare(what, got, want, rows):
    """got == want as multisets; the difference and its contracts if not."""
    g, w = collections.Counter(got), collections.Counter(want)
    if g == w:
        return
    missing = sorted((w - g).elements())
    extra = sorted((g - w).elements())
    refs = {t[1] if what.startswith("simulate") else t[0]
            for t in missing[:10] + extra[:10]}
    pytest.fail("%s: %d missing, %d extra\nmissing:\n  %s\nextra:\n  %s\n"
                "contracts:\n%s" % (
                    what, len(missing), len(extra),
                    "\n  ".join(map(str, missing[:10])),
                    "\n  ".join(map(str, extra[:10])),
                    "\n".join(json.dumps(rows[ref]) for ref in sorted(refs)
                              if ref in rows)))


def check_agenda(d, exp, today, n, rows, acked):
    got = lines_of(d, "agenda", "--days", n)
    keys = [(m["due"], m["ref"], KIND_ORDER[m["milestone"]]) for m in got]
    assert keys == sorted(keys), "agenda --days %d: not by due, ref, kind" % n
    compare("agenda --days %d" % n,
            [(m["ref"], m["title"], m["milestone"], m["due"],
              m["days_left"], m["acked"], m["overdue"]) for m in got],
            exp.agenda(today, n, acked), rows)


def instant(s):
    return datetime.datetime.fromisoformat(s)


def check_simulate(d, exp, a, b, rows):
    """Alerts of one milestone that a working-day shift puts on one instant
    (offsets 1 and 0 of a Sunday) are one, as engine_alerts gives them."""
    got = lines_of(d, "simulate", "--from", iso(a), "--to", iso(b))
    keys = [(instant(x["fire_at"]), x["contract"], x["milestone"])
            for x in got]
    assert keys == sorted(keys), \
        "simulate %s %s: not by fire_at, contract, milestone" % (a, b)
    assert all(x["channels"] == ["log"] for x in got)
    compare("simulate --from %s --to %s" % (a, b),
            [(x["fire_at"], x["contract"], x["milestone"], x["due"],
              x["offset_days"]) for x in got],
            exp.simulate(a, b), rows)


def windows(rnd, exp, today):
    """Agenda lengths and simulate periods: random ones, the longest, and
    ones that begin or end on a due or alert date, or next to one."""
    dues = sorted({(day(m["due"]) - today).days for m in exp.milestones})
    dues = [n for n in dues if 2 <= n <= 3650]
    days = [1, 3650] + [rnd.randint(1, 1200) for _ in range(NWINDOWS)]
    for n in rnd.sample(dues, min(len(dues), NEDGES)):
        days += [n, n - 1]
    dates = sorted({day(x["date"]) for x in exp.alerts})
    periods = [(today - datetime.timedelta(1500),
                today + datetime.timedelta(2160))]    # 3660 days
    for _ in range(NWINDOWS):
        a = today + datetime.timedelta(rnd.randint(-700, 900))
        periods.append((a, a + datetime.timedelta(rnd.randint(0, 400))))
    for x in rnd.sample(dates, min(len(dates), NEDGES)):
        k = datetime.timedelta(rnd.randint(0, 60))
        one = datetime.timedelta(1)
        periods += [(x, x + k), (x - k, x), (x + one, x + one + k),
                    (x - k - one, x - one), (x, x)]
    return days, periods


def check_all(d, exp, rows, today, rnd, acked=frozenset()):
    days, periods = windows(rnd, exp, today)
    for n in days:
        check_agenda(d, exp, today, n, rows, acked)
    for a, b in periods:
        check_simulate(d, exp, a, b, rows)
    # The answers' own words: the period asked and nothing cut short.
    r = d.request({"v": 1, "cmd": "agenda", "args": {"days": 3650}},
                  timeout=60)
    assert r["ok"] and r["result"]["truncated"] is False
    assert (r["result"]["from"], r["result"]["to"]) == (
        iso(today), iso(today + datetime.timedelta(3650)))
    a, b = periods[0]
    r = d.request({"v": 1, "cmd": "simulate",
                   "args": {"from": iso(a), "to": iso(b)}}, timeout=60)
    assert r["ok"] and r["result"]["truncated"] is False
    assert len(r["result"]["alerts"]) == len(exp.simulate(a, b))


def write_csv(d, name, rows, rnd):
    path = os.path.join(d.dir, name)
    with open(path, "w", newline="") as f:
        f.write(csv_text(list(rows.values()), rnd))
    return path


def change(d, gen, rows):
    """One random update or addition, mirrored in rows: dates, services,
    notice and lead days, successors.  Sent as requests, not through
    contractctl, which takes a ref that starts with "--" for an option."""
    r = gen.rnd
    if r.random() < 0.3:
        base = rows[r.choice(sorted(rows))]
        c = gen.follower(base) if r.random() < 0.7 else gen.row(gen.end())
        gen.successor(c, list(rows.values()))
        pending = [p for p in gen.pending if p not in rows]
        if pending and r.random() < 0.5:     # a successor arrives
            c["ref"] = r.choice(pending)
        fields = {k: v for k, v in c.items() if v != ""}
        res = d.request({"v": 1, "cmd": "add", "args": {"fields": fields}})
        assert res["ok"], (fields, res)
        rows[c["ref"]] = c
        return
    c = rows[r.choice(sorted(rows))]
    new = {}
    what = r.randrange(5)
    if what == 0:
        end = gen.end()
        start = c["start_date"]
        if start and day(start) > end:
            new["start_date"] = r.choice(["", iso(end)])
        new["end_date"] = iso(end)
        new["max_end_date"] = iso(end + datetime.timedelta(
            r.choice([0, 0, 1, 200])))
    elif what == 1:
        new["services"] = gen.services()
    elif what == 2:
        new["start_date"] = r.choice(["", iso(day(c["end_date"]) -
                                              datetime.timedelta(
                                                  r.randint(0, 900)))])
    elif what == 3:
        new["extension_notice_days"] = gen.days()
        new["procurement_lead_days"] = gen.days()
    else:
        new["successor_ref"] = r.choice(
            ["", r.choice([o for o in sorted(rows) if o != c["ref"]])])
    res = d.request({"v": 1, "cmd": "update",
                     "args": {"ref": c["ref"], "fields": new}})
    assert res["ok"], (c["ref"], new, res)
    c.update(new)


def hold_some(d, rnd, exp, today):
    """Acknowledges a few milestones ahead and silences a few contracts:
    the agenda marks the first (its only filter is the window), simulate
    ignores both.  The (ref, milestone, due) acknowledged."""
    ahead = [m for m in exp.milestones if day(m["due"]) >= today]
    acked = set()
    for m in rnd.sample(ahead, min(len(ahead), NACKS)):
        r = d.request({"v": 1, "cmd": "ack", "args": {
            "ref": m["ref"], "kind": m["milestone"]}})
        assert r["ok"] and r["result"]["due"] == m["due"], (m, r)
        acked.add((m["ref"], m["milestone"], m["due"]))
    for m in rnd.sample(ahead, min(len(ahead), NACKS)):
        r = d.request({"v": 1, "cmd": "silence", "args": {
            "ref": m["ref"], "until": iso(today + datetime.timedelta(
                rnd.randint(0, 400)))}})
        assert r["ok"], (m, r)
    return acked


def run_property(workdir, seed, today, settings, dangling=False):
    gen = Generator(seed, today, dangling)
    d = Daemon(workdir)
    d.write_config(alerts_extra=daemon_alerts_config(settings))
    d.start(faketime="@%s 12:00:00" % iso(today))
    try:
        rows = {c["ref"]: c for c in gen.contracts(NCONTRACTS)}
        path = write_csv(d, "import.csv", rows, gen.rnd)
        r = d.ctl("--json", "import", path)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["imported"] == len(rows)
        check_all(d, Expected(path, settings, today), rows, today, gen.rnd)
        # As stored: a blank max_end_date is the end date.
        for c in rows.values():
            c["max_end_date"] = c["max_end_date"] or c["end_date"]
        for _ in range(NCHANGES):
            change(d, gen, rows)
        exp = Expected(write_csv(d, "changed.csv", rows, gen.rnd),
                       settings, today)
        acked = hold_some(d, gen.rnd, exp, today)
        check_all(d, exp, rows, today, gen.rnd, acked)
    finally:
        assert d.stop() == 0, d.logtext()


# Each case: a seed, the day the daemon's clock is held at (a Saturday
# before the clocks go forward, Christmas Eve, Good Friday, an ordinary
# Wednesday) and the [alerts] settings.
CASES = [
    (1, "2026-03-28", "defaults"),
    (2, "2025-12-24", "tuned"),
    (3, "2026-04-03", "defaults"),
    (4, "2026-07-15", "tuned"),
]


@pytest.mark.parametrize("seed,today,settings", CASES)
def test_agenda_and_simulate_match_the_engine(workdir, seed, today,
                                              settings):
    run_property(workdir, seed, day(today), SETTINGS[settings])


def test_with_successors_not_yet_stored(workdir):
    """DESIGN 7: a successor counts only once a contract with that ref
    exists."""
    run_property(workdir, 5, day("2026-03-28"), SETTINGS["defaults"],
                 dangling=True)


def test_successor_not_yet_stored_keeps_procurement_start(daemon):
    """The smallest case of the one above."""
    daemon.start(faketime="@2026-03-28 12:00:00")
    path = os.path.join(daemon.dir, "one.csv")
    with open(path, "w") as f:
        f.write("ref,title,end_date,successor_ref\n"
                "A,Home care,2026-12-31,NEXT\n")
    assert daemon.ctl("import", path).returncode == 0
    due = [m["due"] for m in daemon.ctl_json("show", "A")["milestones"]
           if m["milestone"] == "procurement_start"]
    agenda = [m["due"] for m in lines_of(daemon, "agenda", "--days", "365")
              if m["milestone"] == "procurement_start"]
    assert (due, agenda) == (["2026-04-05"], ["2026-04-05"])
