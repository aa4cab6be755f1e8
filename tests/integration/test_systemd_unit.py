"""The hardened unit scores OK (below 2.0) in systemd-analyze security."""
import os
import re
import subprocess

from conftest import SRCDIR


def test_unit_exposure_below_two():
    unit = os.path.join(SRCDIR, "systemd", "contractd.service")
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                        unit], capture_output=True, text=True, timeout=120)
    m = re.search(r"Overall exposure level for contractd.service: "
                  r"([0-9.]+) (\w+)", r.stdout)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) < 2.0 and m.group(2) == "OK", m.group(0)
    text = open(unit).read()
    # PrivateUsers= would hide the peers' uids from SO_PEERCRED.
    assert not re.search(r"^PrivateUsers=", text, re.M)
    assert re.search(r"^Type=notify$", text, re.M)
    assert not re.search(r"^RuntimeDirectory=", text, re.M)
