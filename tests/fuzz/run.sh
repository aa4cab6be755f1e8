#!/bin/bash
# tests/fuzz/run.sh: builds the fuzz harnesses with clang, libFuzzer, ASan
# and UBSan, and runs each from its corpus.
#
#   tests/fuzz/run.sh [SECONDS [NAME ...]]     default: 60, every harness
#
# Each harness tests/fuzz/fuzz-NAME.c runs for SECONDS from the seeds in
# tests/fuzz/corpus/NAME/, two at a time.  The inputs it finds worth
# keeping go to $FUZZ_BUILDDIR/corpus-NAME/ (kept between runs), never to
# the tree.  Exits 1 if any harness found a crash, a leak, undefined
# behaviour or a hang, and prints the path of the input that did it: fix
# the code, then copy the input into tests/fuzz/corpus/NAME/.
#
# Environment:
#   FUZZ_BUILDDIR   build and work directory (default var/fuzz: not the
#                   main build, which is gcc's)
#   FUZZ_JOBS       harnesses run at once (default 2)
#   FUZZ_CC         the compiler (default clang)
#
# Needs clang and libfuzzer-14-dev (Debian), libjansson-dev, libinih-dev.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
B=${FUZZ_BUILDDIR:-$top/var/fuzz}
JOBS=${FUZZ_JOBS:-2}
CC=${FUZZ_CC:-clang}

# One line a harness: its name, then the daemon sources it links (X for
# daemon/X.c).  A new harness is tests/fuzz/fuzz-NAME.c, its seeds in
# tests/fuzz/corpus/NAME/ and a line here.
HARNESSES='
proto	 proto text
csv	 csv contract text dates
config	 config config-keys log engine contract dates text
holidays dates
ocds	 ocds ocds-map contract dates text
'

CFLAGS=(-std=gnu11 -g -O1 -fno-omit-frame-pointer
    '-fsanitize=fuzzer,address,undefined' -fno-sanitize-recover=undefined
    -Wall -Wextra -Werror)
read -ra LIBS <<< "$(pkg-config --libs jansson inih)"
read -ra DEPCFLAGS <<< "$(pkg-config --cflags jansson inih libevent)"

sources_of() {
	printf '%s\n' "$HARNESSES" |
	    awk -v n="$1" '$1 == n { for (i = 2; i <= NF; i++)
		printf "daemon/%s.c ", $i }'
}

# What configure would find that the sources look at: AC_USE_SYSTEM_
# EXTENSIONS and the inih settings of configure.ac.
config_h() {
	local d v
	{
		echo '#define _GNU_SOURCE 1'
		for d in ini_allow_multiline ini_use_stack ini_max_line \
		    ini_allow_realloc; do
			v=0
			printf '#include <ini.h>\nint main(void) { return (int)%s; }\n' \
			    "$d" | $CC -x c -o /dev/null - "${LIBS[@]}" \
			    >/dev/null 2>&1 && v=1
			echo "#define HAVE_DECL_$(echo "$d" |
			    tr '[:lower:]' '[:upper:]') $v"
		done
	} > "$B/config.h.new"
	if cmp -s "$B/config.h.new" "$B/config.h"; then
		rm -f "$B/config.h.new"
	else
		mv "$B/config.h.new" "$B/config.h"
	fi
}

# build NAME: the harness binary, when one of its sources is newer.
build() {
	local n=$1 bin=$B/fuzz-$1 srcs f stale=0
	read -ra srcs <<< "tests/fuzz/fuzz-$n.c $(sources_of "$n")"
	[ -f "$bin" ] || stale=1
	for f in "${srcs[@]}" daemon/*.h plugins/notifier.h "$B/config.h"; do
		[ "$f" -nt "$bin" ] && stale=1
	done
	[ $stale -eq 0 ] && return 0
	echo "    building fuzz-$n"
	$CC "${CFLAGS[@]}" -include "$B/config.h" -Idaemon "${DEPCFLAGS[@]}" \
	    -o "$bin" "${srcs[@]}" "${LIBS[@]}"
}

# run NAME: fuzzes for secs; 0, or 1 with the input that failed.
run() {
	local n=$1 log=$B/fuzz-$1.log rc=0 f
	mkdir -p "$B/corpus-$n" "$B/crash-$n"
	"$B/fuzz-$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$B/crash-$n/" \
	    "$B/corpus-$n" "tests/fuzz/corpus/$n" </dev/null >"$log" 2>&1 ||
	    rc=$?
	if [ $rc -ne 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
		    head -5 | sed 's/^/        /'
		f=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		    tail -1)
		echo "    fuzz-$n: FAILED after $(execs "$log") runs; input:" \
		    "${f:-none written, see $log}"
		return 1
	fi
	echo "    fuzz-$n: ${secs} s, $(execs "$log") runs," \
	    "$(find "$B/corpus-$n" -type f | wc -l) inputs in its corpus," \
	    "no finding"
}

execs() {
	sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -1
}

cd "$top"
mkdir -p "$B"
names=("$@")
[ ${#names[@]} -gt 0 ] ||
    mapfile -t names < <(printf '%s\n' "$HARNESSES" | awk 'NF { print $1 }')
config_h
for n in "${names[@]}"; do
	[ -n "$(sources_of "$n")" ] || { echo "no harness $n" >&2; exit 2; }
	build "$n"
done

# Two at a time (FUZZ_JOBS): each writes its own log; results in order.
failed=0
set -- "${names[@]}"
while [ $# -gt 0 ]; do
	pids=() batch=()
	while [ $# -gt 0 ] && [ ${#pids[@]} -lt "$JOBS" ]; do
		run "$1" > "$B/result-$1" & pids+=($!) batch+=("$1")
		shift
	done
	for p in "${pids[@]}"; do
		wait "$p" || failed=1
	done
	for n in "${batch[@]}"; do
		cat "$B/result-$n"
	done
done
exit $failed
