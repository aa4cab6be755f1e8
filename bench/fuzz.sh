#!/bin/bash
# bench/fuzz.sh: each fuzz harness for 10 minutes, two at a time, from its
# corpus (tests/fuzz/run.sh, which tells what it needs and where it works).
#
#   bench/fuzz.sh [NAME ...]        default: every harness
#
# Record how long each ran without a finding in tests/fuzz/README.md.
exec "$(dirname "$0")/../tests/fuzz/run.sh" 600 "$@"
