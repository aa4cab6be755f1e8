#!/usr/bin/env python3
"""bench/gen-ocds.py N [SEED] > FILE: an OCDS 1.1 release package of N
releases shaped like Find a Tender's award notices (a buyer party with
its contact point, a tender with techniques, one active award with
suppliers, value and contractPeriod, an award notice document), one in
ten an update of an earlier award with a later date and end."""
import json
import random
import sys


def release(i, rnd, n):
    upd = i % 10 == 9 and i > 0
    k = rnd.randrange(i) if upd else i
    y = 2026 + k % 5
    end = "%d-%02d-%02dT23:59:59+01:00" % (y + (1 if upd else 0),
                                          1 + k % 12, 1 + k % 28)
    tech = ({"hasDynamicPurchasingSystem": True} if k % 7 == 0 else
            {"hasFrameworkAgreement": True} if k % 7 == 1 else {})
    return {
        "ocid": "ocds-h6vhtk-%06x" % k,
        "id": "ocds-h6vhtk-%06x-%d" % (k, i),
        "date": "2025-%02d-%02dT10:00:00Z" % (1 + (i * 12) // n,
                                            1 + i % 28),
        "tag": ["awardUpdate" if upd else "award"],
        "initiationType": "tender",
        "parties": [
            {"id": "GB-LAC-%04d" % (k % 300), "name": "Council %d" % (k % 300),
             "roles": ["buyer"],
             "contactPoint": {"name": "Officer %d" % (k % 977),
                              "email": "officer%d@council%d.gov.uk"
                                       % (k % 977, k % 300)}},
            {"id": "GB-COH-%08d" % k, "name": "Supplier %d Ltd" % k,
             "roles": ["supplier"]}],
        "buyer": {"id": "GB-LAC-%04d" % (k % 300)},
        "tender": {"id": "T-%d" % k, "title": "Service %d" % k,
                   "techniques": tech,
                   "description": "Care and support services, lot %d" % k},
        "awards": [{
            "id": "AW-%07d" % k, "status": "active",
            "title": "Service %d, award" % k,
            "value": {"amount": 10000 + k * 13.25, "currency": "GBP"},
            "suppliers": [{"id": "GB-COH-%08d" % k,
                           "name": "Supplier %d Ltd" % k}],
            "contractPeriod": {"startDate": "2025-04-01T00:00:00+01:00",
                               "endDate": end,
                               "maxExtentDate": "%d-03-31T23:59:59+01:00"
                                                % (y + 3)},
            "documents": [{"id": "n%d" % k, "documentType": "awardNotice",
                           "url": "https://www.find-tender.service.gov.uk"
                                  "/Notice/%06d-2025" % k}]}],
    }


def main():
    n = int(sys.argv[1])
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    out = sys.stdout
    out.write('{"uri": "https://example.org/bench", "version": "1.1", '
              '"publishedDate": "2025-12-01T00:00:00Z", '
              '"publisher": {"name": "bench"}, "releases": [\n')
    for i in range(n):
        out.write((",\n" if i else "") + json.dumps(release(i, rnd, n)))
    out.write("\n]}\n")


main()
