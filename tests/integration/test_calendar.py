"""[calendar] dir: all.ics and one file per owner, written at start and
after every change, atomically: an extend's new due date appears, an
owner who owns nothing loses their file, and a reader in a loop during
100 changes always parses a whole calendar.  The key is checked at load
with file:line errors."""
import os
import subprocess
import threading

import icalendar

from conftest import CONTRACTD, wait_for


def cal_config(d, calendar="dir = {cal}"):
    cal = os.path.join(d.dir, "cal")
    os.makedirs(cal, exist_ok=True)
    d.write_config(extra="[calendar]\n" + calendar.format(cal=cal) + "\n")
    return cal


def uids(path):
    try:
        with open(path, "rb") as f:
            cal = icalendar.Calendar.from_ical(f.read())
    except FileNotFoundError:
        return None
    return sorted(str(c["UID"]) for c in cal.walk() if c.name == "VEVENT")


def milestone_uids(d, *refs):
    return sorted("%s/%s/%s@contractd" % (ref, m["milestone"], m["due"])
                  for ref in refs
                  for m in d.ctl_json("show", ref)["milestones"])


def add(d, ref, owner, end="2030-04-30", mx="2031-04-30"):
    args = ["add", "ref=" + ref, "title=Calendar " + ref,
            "end_date=" + end, "max_end_date=" + mx]
    if owner:
        args.append("owner_email=" + owner)
    r = d.ctl(*args)
    assert r.returncode == 0, r.stderr


def test_files_follow_changes(daemon):
    cal = cal_config(daemon)
    # Left over from an owner who no longer exists: pruned at start.
    with open(os.path.join(cal, "gone@council.example.ics"), "w") as f:
        f.write("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    daemon.start()
    allf = os.path.join(cal, "all.ics")
    assert wait_for(lambda: uids(allf) == [])
    assert wait_for(lambda: not os.path.exists(
        os.path.join(cal, "gone@council.example.ics")))
    add(daemon, "CAL-1", "jo@council.example")
    add(daemon, "CAL-2", "o'neil@council.example")
    add(daemon, "CAL-3", None)
    add(daemon, "CAL-4", "jo@council.example", end="2029-01-31",
        mx="2029-01-31")
    jo = os.path.join(cal, "jo@council.example.ics")
    oneil = os.path.join(cal, "o%27neil@council.example.ics")
    want_all = milestone_uids(daemon, "CAL-1", "CAL-2", "CAL-3", "CAL-4")
    assert wait_for(lambda: uids(allf) == want_all), uids(allf)
    assert wait_for(lambda: uids(jo) == milestone_uids(daemon, "CAL-1",
                                                       "CAL-4"))
    assert uids(oneil) == milestone_uids(daemon, "CAL-2")
    assert sorted(os.listdir(cal)) == [
        "all.ics", "jo@council.example.ics", "o%27neil@council.example.ics"]
    # extend: the new due date appears, the old one goes.
    assert "CAL-1/term_end/2030-04-30@contractd" in uids(jo)
    r = daemon.ctl("extend", "CAL-1", "--until", "2030-10-31")
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: "CAL-1/term_end/2030-10-31@contractd" in
                    uids(jo)), uids(jo)
    assert "CAL-1/term_end/2030-04-30@contractd" not in uids(jo)
    assert uids(jo) == milestone_uids(daemon, "CAL-1", "CAL-4")
    assert "CAL-1/term_end/2030-10-31@contractd" in uids(allf)
    # An owner who owns nothing any more loses their file.
    r = daemon.ctl("update", "CAL-2", "owner_email=jo@council.example")
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: not os.path.exists(oneil))
    assert wait_for(lambda: uids(jo) == milestone_uids(
        daemon, "CAL-1", "CAL-2", "CAL-4"))
    assert sorted(os.listdir(cal)) == ["all.ics", "jo@council.example.ics"]
    # Written again at start: a file removed meanwhile comes back.
    assert daemon.stop() == 0
    os.unlink(jo)
    daemon.start()
    assert wait_for(lambda: uids(jo) == milestone_uids(
        daemon, "CAL-1", "CAL-2", "CAL-4"))


class Reader(threading.Thread):
    """Parses the file over and over; keeps what it could not parse."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.stop = threading.Event()
        self.bad = []
        self.seen = set()
        self.reads = 0

    def run(self):
        while not self.stop.is_set():
            try:
                with open(self.path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                continue
            self.reads += 1
            try:
                cal = icalendar.Calendar.from_ical(data)
                assert data.endswith(b"END:VCALENDAR\r\n")
                self.seen.add(tuple(sorted(
                    str(c["DTSTART"].dt) for c in cal.walk()
                    if c.name == "VEVENT" and "term_end" in str(c["UID"]))))
            except Exception as e:          # noqa: BLE001
                self.bad.append((repr(e), data[-80:]))


def test_reader_never_sees_a_half_written_file(daemon):
    cal = cal_config(daemon)
    daemon.start()
    rows = ["ref,title,owner_email,end_date,max_end_date"]
    for i in range(100):
        rows.append("RD-%03d,Reader %d,r%d@council.example,2030-01-31,"
                    "2040-12-31" % (i, i, i % 7))
    path = os.path.join(daemon.dir, "rd.csv")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    assert daemon.ctl("import", path).returncode == 0
    allf = os.path.join(cal, "all.ics")
    assert wait_for(lambda: uids(allf) is not None and len(uids(allf)) >
                    100)
    reader = Reader(allf)
    reader.start()
    try:
        end = None
        for k in range(100):
            end = "2030-%02d-%02d" % (2 + k // 28, 1 + k % 28)
            r = daemon.request({"v": 1, "cmd": "update", "args": {
                "ref": "RD-000", "fields": {"end_date": end}}})
            assert r["ok"], r
        last = "RD-000/term_end/%s@contractd" % end
        assert wait_for(lambda: last in uids(allf))
        assert wait_for(lambda: last in uids(
            os.path.join(cal, "r0@council.example.ics")))
    finally:
        reader.stop.set()
        reader.join()
    assert reader.bad == []
    assert reader.reads >= 5
    assert len(reader.seen) >= 2


def test_config_errors_with_their_lines(daemon):
    cal_config(daemon, "dir = relative/cal\ndir = {cal}\ncolour = blue")
    c = daemon.conf
    with open(c) as f:
        text = f.read().splitlines()

    def at(prefix):
        return [n for n, x in enumerate(text, 1) if x.startswith(prefix)][0]
    r = subprocess.run([CONTRACTD, "-t", "-c", c], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "%s:%d: dir: relative/cal: not an absolute path" % (c, at("dir =")),
        "%s:%d: dir: set twice in [calendar]" % (c, at("dir =") + 1),
        "%s:%d: unknown key 'colour' in [calendar]" % (c, at("colour")),
    ]
    missing = os.path.join(daemon.dir, "nowhere")
    cal_config(daemon, "dir = " + missing)
    r = subprocess.run([CONTRACTD, "-t", "-c", c], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "%s:%d: dir: %s: No such file or directory" % (
            c, at("[calendar]") + 1, missing)]
