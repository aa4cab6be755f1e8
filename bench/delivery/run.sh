#!/bin/bash
# bench/delivery/run.sh: webhook delivery throughput of contractd beside
# `curl --parallel` posting the same bodies to the same local receiver.
#
#   bench/delivery/run.sh [N ...]          default: 1000 10000
#
# For each N and each cap in CAPS, RUNS times: a fresh daemon in a temp
# directory with one webhook channel (kinds = term_end, format generic,
# `[daemon] max_transfers = cap`, no log channel) pointing at a local sink
# (receiver.c: epoll, answers 200 at once, counts POSTs); N contracts whose
# term_end/30 alert is already past while their end date is ahead are
# imported in one `contractctl import`, so all N deliveries are due at the
# same instant.  Measured: from the import's answer to the N-th POST at the
# receiver (deliveries/s), and the time until `status` shows outbox
# delivered == N; the daemon's VmRSS/VmHWM after the import and at the end
# (the peak of the delivery phase alone is got by resetting VmHWM through
# /proc/PID/clear_refs at the import's answer).  Then the baseline: curl
# --parallel --parallel-max cap posting the same N bodies (the daemon's own
# generic payload, captured at the receiver, one per contract) with the
# same headers, from a -K config file; wall time of the curl process.
#
# Environment:
#   BUILDDIR   where daemon/contractd, ctl/contractctl, plugins/.libs are
#              (default: the source tree; run `make -j2` there first)
#   CAPS       values of max_transfers / --parallel-max (default "16 64")
#   RUNS       runs of each configuration; the median is reported (3)
#   OUT        results directory (default bench/delivery/results)
#   TMPBASE    where the work directories go (default /var/tmp: a real
#              disk, as /var/lib/contractd would be; tmpfs hides fsync)
#   TIMEOUT    seconds one run may take before it is abandoned (600)
#   PROFILE=1  `perf record -g` of the daemon during the last run of each
#              configuration; reports in $OUT/perf-N-cap.txt
#   STRACE=1   `strace -c -f` of the daemon during the last run of each
#              configuration; in $OUT/strace-N-cap.txt
#   KEEP=1     keep the work directory
#
# Needs bash, cc, curl, python3; wrk (apt-get install wrk) is used, when
# present, to show that the receiver alone is far faster than both.
# Results: $OUT/runs.tsv (every run), $OUT/summary.md (medians).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
BUILDDIR=${BUILDDIR:-$src}
CAPS=${CAPS:-"16 64"}
RUNS=${RUNS:-3}
OUT=${OUT:-$here/results}
TMPBASE=${TMPBASE:-/var/tmp}
TIMEOUT=${TIMEOUT:-600}
CONTRACTD=$BUILDDIR/daemon/contractd
CTL=$BUILDDIR/ctl/contractctl
PLUGINS=$BUILDDIR/plugins/.libs
HOLIDAYS=$src/etc/holidays.txt
export TZ=Europe/London

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

for f in "$CONTRACTD" "$CTL" "$PLUGINS/webhook.so"; do
	[ -e "$f" ] || die "$f missing: build the tree first (make -j2)"
done
# a pyenv shim costs half a second a call: prefer the system's python
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
[ -n "$PYTHON" ] || die "python3 needed"
for c in cc curl; do
	command -v $c >/dev/null || die "$c needed"
done
mkdir -p "$OUT"
work=$(mktemp -d "$TMPBASE/contractd-bench-delivery.XXXXXX")
chmod 755 "$work"

# Everything started here is stopped on the way out, by its pid.
rcv_pid=
dmn_pid=
prof_pid=
cleanup() {
	local p
	for p in $prof_pid $dmn_pid $rcv_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $prof_pid $dmn_pid $rcv_pid; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		log "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }

log "compiling the receiver"
${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$work/receiver" \
	"$here/receiver.c"

"$work/receiver" -P "$work/port" -c "$work/capture" &
rcv_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || die "the receiver did not start"
port=$(cat "$work/port")
base="http://127.0.0.1:$port"
url="$base/hook"

rcv_reset() { curl -sf -X POST "$base/reset" -o /dev/null; }
rcv_stat() {	# rcv_stat FIELD: a number from /stats
	curl -sf "$base/stats" | grep -o "\"$1\":[0-9]*" | cut -d: -f2
}
rcv_count() { rcv_stat count; }

# --- the receiver alone ---------------------------------------------------
wrk_rate=-
if command -v wrk >/dev/null; then
	log "the receiver alone: wrk -t1 -c16 -d5s, ~1 KB POST bodies"
	cat >"$work/post.lua" <<-'EOF'
	wrk.method = "POST"
	wrk.body = string.rep("x", 1000)
	wrk.headers["Content-Type"] = "application/json"
	EOF
	wrk -t1 -c16 -d5s -s "$work/post.lua" "$url" >"$OUT/wrk.txt" 2>&1 ||
		true
	wrk_rate=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/wrk.txt")
	log "receiver alone: $wrk_rate req/s"
fi

# --- the daemon -----------------------------------------------------------
proc_kb() {	# proc_kb PID FIELD: VmRSS, VmHWM in kB
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
proc_ticks() {	# proc_ticks PID: user + system CPU time in clock ticks
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
hz=$(getconf CLK_TCK)

dmn_start() {	# dmn_start DIR CAP
	local d=$1 cap=$2
	rm -rf "$d"
	mkdir -p "$d"
	cat >"$d/contractd.conf" <<-EOF
	[daemon]
	database = $d/contractd.db
	socket = $d/control.sock
	plugin_dir = $PLUGINS
	holidays = $HOLIDAYS
	timezone = Europe/London
	alert_time = 09:00
	max_transfers = $cap

	[alerts]
	term_end = 30

	[notifier hook]
	plugin = webhook
	kinds = term_end
	format = generic
	url = $url
	secret_file = $d/hook.secret
	timeout = 30
	connect_timeout = 5
	EOF
	# the Standard Webhooks secret: as in production, requests are signed
	echo "whsec_$(head -c 32 /dev/urandom | base64 -w0)" >"$d/hook.secret"
	chmod 600 "$d/hook.secret"
	"$CONTRACTD" -f -c "$d/contractd.conf" >"$d/contractd.log" 2>&1 &
	dmn_pid=$!
	for _ in $(seq 200); do
		"$CTL" -s "$d/control.sock" ping >/dev/null 2>&1 && return 0
		kill -0 "$dmn_pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "$d/contractd.log" >&2
	die "the daemon did not start"
}

dmn_stop() {
	local rc=0
	[ -n "$dmn_pid" ] || return 0
	kill -TERM "$dmn_pid" 2>/dev/null || true
	for _ in $(seq 200); do
		kill -0 "$dmn_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$dmn_pid" 2>/dev/null || true
	wait "$dmn_pid" || rc=$?
	dmn_pid=
	[ $rc = 0 ] || log "contractd exited $rc"
}

# csv_make N FILE: N contracts ending 10 days ahead: their term_end/30
# alert is past, so it fires at import.
csv_make() {
	"$PYTHON" - "$1" "$2" <<-'EOF'
	import datetime, sys
	from zoneinfo import ZoneInfo
	n, path = int(sys.argv[1]), sys.argv[2]
	end = (datetime.datetime.now(ZoneInfo("Europe/London")).date() +
	       datetime.timedelta(days=10)).isoformat()
	notes = ("Benchmark contract: residential and nursing placements, "
	         "homecare and supported living, with the usual extension "
	         "clauses and a re-procurement lead time; the text is here to "
	         "give the payload a realistic size of about one kilobyte.")
	with open(path, "w") as f:
	    f.write("ref,title,kind,supplier,owner_name,owner_email,notify,"
	            "start_date,end_date,services,value,notes\n")
	    for i in range(n):
	        f.write('BD-%06d,Delivery benchmark contract %d,framework,'
	                'Supplier %d Ltd,Senior Commissioner,'
	                'commissioning@council.example,'
	                'procurement@council.example,2022-01-01,%s,'
	                'residential:LD;nursing:MH;domiciliary:PSD,1200000,'
	                '"%s"\n' % (i, i, i % 97, end, notes))
	EOF
}

# dmn_run N CAP RUN: one measured daemon run; appends a line to $tsv
dmn_run() {
	local n=$1 cap=$2 run=$3 d="$work/d" t_imp0 t0 t_done fired got
	local rss0 hwm0 rss1 hwm1 first last deadline i delivered cpu0 cpu1
	local conns

	dmn_start "$d" "$cap"
	rcv_reset
	t_imp0=$(now_ns)
	got=$("$CTL" -s "$d/control.sock" --json import "$work/c$n.csv") ||
		die "import failed: $got"
	t0=$(now_ns)
	cpu0=$(proc_ticks "$dmn_pid")
	rss0=$(proc_kb "$dmn_pid" VmRSS)
	hwm0=$(proc_kb "$dmn_pid" VmHWM)
	echo 5 >"/proc/$dmn_pid/clear_refs" 2>/dev/null || true
	fired=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])
	    ["fired"])' "$got")
	[ "$fired" -ge "$n" ] || die "import fired $fired alerts, not $n"
	if [ "$run" = "$RUNS" ] && [ "${PROFILE:-0}" = 1 ]; then
		perf record -q -g -F 2000 -p "$dmn_pid" \
			-o "$work/perf.data" 2>/dev/null &
		prof_pid=$!
	elif [ "$run" = "$RUNS" ] && [ "${STRACE:-0}" = 1 ]; then
		strace -c -f -p "$dmn_pid" -o "$OUT/strace-$n-$cap.txt" &
		prof_pid=$!
	fi
	# count at the receiver, every 50 ms, for at most TIMEOUT s
	deadline=$(( $(date +%s) + TIMEOUT ))
	while got=$(rcv_count) && [ "$got" -lt "$n" ]; do
		[ "$(date +%s)" -lt "$deadline" ] ||
			die "N=$n cap=$cap: $got of $n after ${TIMEOUT}s"
		sleep 0.05
	done
	cpu1=$(proc_ticks "$dmn_pid")
	# then until the outbox says so (results are written in batches)
	delivered=0
	for i in $(seq $(( TIMEOUT * 20 ))); do
		delivered=$("$CTL" -s "$d/control.sock" --json status |
			grep -o '"delivered":[0-9]*' | cut -d: -f2)
		[ "$delivered" -lt "$n" ] || break
		sleep 0.05
	done
	t_done=$(now_ns)
	[ "$delivered" = "$n" ] || die "outbox delivered $delivered, not $n"
	rss1=$(proc_kb "$dmn_pid" VmRSS)
	hwm1=$(proc_kb "$dmn_pid" VmHWM)
	if [ -n "$prof_pid" ]; then
		kill -INT "$prof_pid" 2>/dev/null || true
		wait "$prof_pid" 2>/dev/null || true
		prof_pid=
		if [ "${PROFILE:-0}" = 1 ]; then
			perf report -i "$work/perf.data" --stdio --no-children \
				--percent-limit 1 >"$OUT/perf-$n-$cap.txt" \
				2>/dev/null || true
			perf report -i "$work/perf.data" --stdio --children \
				--percent-limit 3 -g none \
				>"$OUT/perf-children-$n-$cap.txt" \
				2>/dev/null || true
		fi
	fi
	first=$(rcv_stat first_ns)
	last=$(rcv_stat last_ns)
	conns=$(rcv_stat conns)
	got=$(rcv_count)
	[ "$got" = "$n" ] || log "receiver got $got POSTs for $n deliveries"
	dmn_stop
	"$PYTHON" - "$n" "$cap" "$run" "$t_imp0" "$t0" "$first" "$last" \
	    "$t_done" "$conns" "$(( cpu1 - cpu0 ))" "$hz" "$rss0" "$hwm0" \
	    "$rss1" "$hwm1" >>"$tsv" <<-'EOF'
	import sys
	n, cap, run = sys.argv[1:4]
	imp0, t0, first, last, done, conns, ticks, hz = map(int, sys.argv[4:12])
	rss0, hwm0, rss1, hwm1 = sys.argv[12:16]
	secs = (last - t0) / 1e9
	print("daemon\t%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.2f"
	      "\t%s\t%s\t%s\t%s"
	      % (n, cap, run, int(n) / secs, secs, (t0 - imp0) / 1e9,
	         (first - t0) / 1e9, (done - t0) / 1e9, conns, ticks / hz,
	         rss0, hwm0, rss1, hwm1))
	EOF
}

# --- the baseline: curl --parallel ------------------------------------------
# curl_prepare N: the daemon's captured generic payload, one per contract
# (its ref and key changed), and a -K config posting each with the
# daemon's headers.
curl_prepare() {
	"$PYTHON" - "$1" "$work/capture" "$work/bodies$1" "$work/curl$1.cfg" \
	    "$url" <<-'EOF'
	import json, os, sys
	n, cap, bdir, cfg, url = (int(sys.argv[1]),) + tuple(sys.argv[2:])
	raw = open(cap, "rb").read()
	head, body = raw.split(b"\r\n\r\n", 1)
	hdrs = {}
	for line in head.decode().split("\r\n")[1:]:
	    k, v = line.split(":", 1)
	    hdrs[k.strip().lower()] = v.strip()
	tmpl = json.loads(body)
	ref0 = tmpl["contract"]["ref"]
	os.makedirs(bdir, exist_ok=True)
	with open(cfg, "w") as f:
	    for i in range(n):
	        ref = "BD-%06d" % i
	        b = body.replace(ref0.encode(), ref.encode())
	        p = os.path.join(bdir, "%d.json" % i)
	        with open(p, "wb") as g:
	            g.write(b)
	        wid = hdrs.get("webhook-id", "").replace(ref0, ref)
	        if i:
	            f.write("next\n")
	        f.write('url = "%s"\n' % url)
	        f.write('header = "Content-Type: application/json"\n')
	        for h in ("webhook-timestamp", "webhook-signature"):
	            if h in hdrs:
	                f.write('header = "%s: %s"\n' % (h, hdrs[h]))
	        if wid:
	            f.write('header = "webhook-id: %s"\n' % wid)
	        f.write('data-binary = "@%s"\n' % p)
	        f.write('output = "/dev/null"\n')
	EOF
}

# curl_run N CAP RUN: appends a line to $tsv
curl_run() {
	local n=$1 cap=$2 run=$3 t0 t1 got first last conns cpu
	local TIMEFORMAT='%3U %3S'
	rcv_reset
	t0=$(now_ns)
	{ time curl --no-progress-meter --parallel --parallel-max "$cap" \
		-K "$work/curl$n.cfg" 2>"$work/curl.err" ; } 2>"$work/curl.time" ||
		die "curl failed: $(cat "$work/curl.err")"
	t1=$(now_ns)
	cpu=$(awk '{ print $1 + $2 }' "$work/curl.time")
	conns=$(rcv_stat conns)
	got=$(rcv_count)
	[ "$got" = "$n" ] || die "curl: receiver got $got POSTs, not $n"
	first=$(rcv_stat first_ns)
	last=$(rcv_stat last_ns)
	"$PYTHON" - "$n" "$cap" "$run" "$t0" "$t1" "$first" "$last" \
	    "$conns" "$cpu" >>"$tsv" <<-'EOF'
	import sys
	n, cap, run = sys.argv[1:4]
	t0, t1, first, last, conns = map(int, sys.argv[4:9])
	secs = (t1 - t0) / 1e9
	print("curl\t%s\t%s\t%s\t%.0f\t%.3f\t-\t%.3f\t%.3f\t%d\t%s"
	      "\t-\t-\t-\t-"
	      % (n, cap, run, int(n) / secs, secs, (first - t0) / 1e9,
	         (last - t0) / 1e9, conns, sys.argv[9]))
	EOF
}

# --- the runs -------------------------------------------------------------
log "capturing one generic payload from the daemon"
csv_make 1 "$work/c1.csv"
dmn_start "$work/d" 16
rcv_reset
"$CTL" -s "$work/d/control.sock" import "$work/c1.csv" >/dev/null
for _ in $(seq 200); do [ -s "$work/capture" ] && break; sleep 0.05; done
[ -s "$work/capture" ] || die "no request reached the receiver"
dmn_stop
cp "$work/capture" "$OUT/captured-request.txt"
log "payload: $(($(wc -c <"$work/capture"))) bytes with headers"

tsv="$OUT/runs.tsv"
printf 'who\tN\tcap\trun\tper_s\tsecs\timport_s\tfirst_s\tdone_s\tconns\tcpu_s\trss_after_import_kB\thwm_import_kB\trss_end_kB\thwm_delivery_kB\n' \
	>"$tsv"
for n in "${sizes[@]}"; do
	log "N=$n: contracts and curl bodies"
	csv_make "$n" "$work/c$n.csv"
	curl_prepare "$n"
	for cap in $CAPS; do
		for run in $(seq "$RUNS"); do
			dmn_run "$n" "$cap" "$run"
			log "$(tail -1 "$tsv" | cut -f1-6)"
			curl_run "$n" "$cap" "$run"
			log "$(tail -1 "$tsv" | cut -f1-6)"
		done
	done
	rm -rf "$work/bodies$n" "$work/curl$n.cfg"
done

# --- summary ----------------------------------------------------------------
"$PYTHON" - "$tsv" "$wrk_rate" >"$OUT/summary.md" <<-'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = statistics.median
keys = sorted({(int(r["N"]), int(r["cap"])) for r in rows})
print("| N | cap | daemon deliveries/s | curl req/s | ratio | "
      "daemon: outbox delivered==N after | daemon VmHWM (delivery phase) | "
      "daemon VmHWM (overall) | daemon VmRSS at end | TCP connections "
      "daemon / curl | CPU s daemon / curl |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for n, cap in keys:
    d = [r for r in rows if r["who"] == "daemon" and int(r["N"]) == n and
         int(r["cap"]) == cap]
    c = [r for r in rows if r["who"] == "curl" and int(r["N"]) == n and
         int(r["cap"]) == cap]
    if not d or not c:
        continue
    f = lambda rs, k: med([float(r[k]) for r in rs])
    dr, cr = f(d, "per_s"), f(c, "per_s")
    hwm = med([max(int(r["hwm_import_kB"]), int(r["hwm_delivery_kB"]))
               for r in d])
    print("| %d | %d | %.0f | %.0f | %.0f %% | %.2f s | %.1f MiB | %.1f MiB "
          "| %.1f MiB | %.0f / %.0f | %.2f / %.2f |"
          % (n, cap, dr, cr, 100 * dr / cr, f(d, "done_s"),
             f(d, "hwm_delivery_kB") / 1024, hwm / 1024,
             f(d, "rss_end_kB") / 1024, f(d, "conns"), f(c, "conns"),
             f(d, "cpu_s"), f(c, "cpu_s")))
print()
print("Medians of %d runs each (ratio: of the medians). The receiver alone "
      "(wrk -t1 -c16, 1 KB POSTs): %s req/s."
      % (max(int(r["run"]) for r in rows), sys.argv[2]))
EOF
cat "$OUT/summary.md"
