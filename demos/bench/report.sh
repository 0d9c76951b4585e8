#!/usr/bin/env bash
# report.sh - `make bench`, last step: turn one run's results into
# docs/benchmarks.md, its plots (docs/img/bench-*.png) and the README's
# results table (between the "bench:begin" and "bench:end" markers).
#
# Usage: report.sh BUILD DOCS README
#
# It reads what the other scripts left in BUILD/bench: http.tsv,
# http_counts.tsv, idle.tsv, pingpong.tsv, python.tsv, micro.txt,
# carriers.txt, machine.txt and notes.txt.  Every figure it prints is a
# median of that run's rounds; nothing is typed in by hand.  Without
# gnuplot the plots are left as they were, with a note.
set -euo pipefail
B=${1:?usage: report.sh BUILD DOCS README}
DOCS=${2:?usage: report.sh BUILD DOCS README}
README=${3:?usage: report.sh BUILD DOCS README}
R=$B/bench
IMG=$DOCS/img
mkdir -p "$IMG"
NCPU=$(nproc)

# med FILE KEYCOLS VALCOL: "KEY<TAB>MEDIAN" per distinct key (columns
# joined by "|"), in first-seen order.
med() {
  awk -F'\t' -v kc="$2" -v vc="$3" '
    BEGIN {nk = split(kc, k, ",")}
    { key = $k[1]; for (i = 2; i <= nk; i++) key = key "|" $k[i]
      if (!(key in n)) order[++m] = key
      v[key, ++n[key]] = $vc }
    END { for (j = 1; j <= m; j++) {
            key = order[j]; c = n[key]
            for (a = 1; a <= c; a++) s[a] = v[key, a]
            for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++)
              if (s[b] + 0 < s[a] + 0) {t = s[a]; s[a] = s[b]; s[b] = t}
            printf "%s\t%s\n", key, s[int((c + 1) / 2)] } }' "$1"
}

# get TABLE KEY: the value for KEY in a med table ("" if none).
get() { awk -F'\t' -v k="$2" '$1 == k {print $2}' <<<"$1"; }

# ratio A B: A / B to 2 decimals, or "-".
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"
    else printf "%.2f", a / b }'
}

title() {
  case $1 in
  native) echo "httpd, native threads" ;;
  ub1) echo "httpd under unblock, 1 carrier" ;;
  ubN) echo "httpd under unblock, $NCPU carriers" ;;
  epoll) echo "epoll server, 1 thread" ;;
  go) echo "Go, goroutine per connection" ;;
  py-native) echo "http.server, native threads" ;;
  py-ub1) echo "http.server under unblock, 1 carrier" ;;
  py-ubN) echo "http.server under unblock, $NCPU carriers" ;;
  py-gevent) echo "http.server with gevent" ;;
  *) echo "$1" ;;
  esac
}

servers=$(cut -f2 "$R/http.tsv" | awk '!seen[$0]++')
conns=$(cut -f1 "$R/http.tsv" | awk '!seen[$0]++')
rps=$(med "$R/http.tsv" 1,2 4)
p50=$(med "$R/http.tsv" 1,2 5)
p99=$(med "$R/http.tsv" 1,2 6)
hwm=$(med "$R/http.tsv" 1,2 7)
errs=$(awk -F'\t' '{e[$1 "|" $2] += $8} END {for (k in e) print k "\t" e[k]}' \
  "$R/http.tsv")
counts=$(awk -F'\t' '{print $1 "|" $2 "\t" $3 "\t" $4}' \
  "$R/http_counts.tsv" 2>/dev/null || true)
sc() { awk -F'\t' -v k="$1" '$1 == k {v = $2} END {print v == "" ? "-" : v}' <<<"$counts"; }
cs() { awk -F'\t' -v k="$1" '$1 == k {v = $3} END {print v == "" ? "-" : v}' <<<"$counts"; }
rounds=$(awk -F'\t' '{print $3}' "$R/http.tsv" | sort -n | tail -1)

# ---- plots ------------------------------------------------------------------
plots=yes
if ! command -v gnuplot >/dev/null; then
  plots=
  echo "report: gnuplot is missing (apt-get install gnuplot-nox):" \
    "the plots were not redrawn" >&2
fi
if [ -n "$plots" ]; then
  dat=$R/tmp.rps.dat
  {
    printf 'conns'
    for s in $servers; do printf '\t"%s"' "$(title "$s")"; done
    printf '\n'
    for c in $conns; do
      printf '%s' "$c"
      for s in $servers; do printf '\t%s' "$(get "$rps" "$c|$s")"; done
      printf '\n'
    done
  } >"$dat"
  n=$(wc -w <<<"$servers")
  gnuplot <<EOF
set terminal pngcairo size 900,520 font "sans,11"
set output "$IMG/bench-http-rps.png"
set title "HTTP keep-alive: requests/s against connections (wrk, $NCPU CPUs shared)"
set logscale x
set xrange [70:14000]
set xtics ("100" 100, "1,000" 1000, "10,000" 10000)
set xlabel "connections"
set ylabel "requests/s (median of $rounds)"
set yrange [0:*]
set key bottom left box opaque
set grid
plot for [i=2:$((n + 1))] "$dat" using 1:i with linespoints lw 2 pt 7 title columnheader(i)
EOF
  dat=$R/tmp.idle.dat
  med "$R/idle.tsv" 1 5 | while IFS=$'\t' read -r s v; do
    printf '"%s"\t%s\n' "$(title "$s")" "$v"
  done >"$dat"
  gnuplot <<EOF
set terminal pngcairo size 900,420 font "sans,11"
set output "$IMG/bench-idle-rss.png"
set title "RSS per idle keep-alive connection ($(cut -f3 "$R/idle.tsv" | head -1) held)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set ylabel "bytes per connection"
set yrange [0:*]
set grid ytics
set xtics rotate by -20
set bmargin 6
unset key
plot "$dat" using 2:xtic(1) lc rgb "#4477aa", "" using 0:2:2 with labels offset 0,0.8 notitle
EOF
  dat=$R/tmp.lat.dat
  for s in $servers; do
    printf '"%s"\t%s\t%s\n' "$(title "$s")" "$(get "$p50" "1000|$s")" \
      "$(get "$p99" "1000|$s")"
  done >"$dat"
  gnuplot <<EOF
set terminal pngcairo size 900,420 font "sans,11"
set output "$IMG/bench-http-latency.png"
set title "HTTP latency at 1,000 connections (wrk, median of $rounds runs)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "ms"
set yrange [0:*]
set grid ytics
set xtics rotate by -20
set key top left box opaque
set bmargin 6
plot "$dat" using 2:xtic(1) title "p50" lc rgb "#4477aa", "" using 3 title "p99" lc rgb "#ee6677"
EOF
fi

# ---- goals ------------------------------------------------------------------
# Issue 5's goals, each against this run's medians.  The default launcher
# configuration (every carrier, "ubN") is the one judged; 1 carrier is
# shown beside it.

# verdict VALUE OP LIMIT: "yes" or "no" ("-" without a value).
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "" || v == "-") {print "-"; exit}
    ok = op == ">=" ? v + 0 >= l + 0 : v + 0 <= l + 0
    print ok ? "yes" : "no" }'
}
pp_ratio() {
  [ -s "$R/pingpong.tsv" ] || return 0
  local m
  m=$(med "$R/pingpong.tsv" 1 2)
  ratio "$(get "$m" "$1")" "$(get "$m" "$2")"
}
py_ratio() {
  [ -s "$R/python.tsv" ] || return 0
  local m
  m=$(med "$R/python.tsv" 1,2 4)
  ratio "$(get "$m" "$1|$2")" "$(get "$m" "$1|py-gevent")"
}
{
  echo "| goal | measured (ubN; 1 carrier) | met |"
  echo "|---|---|---|"
  for c in 1000 10000; do
    a=$(ratio "$(get "$rps" "$c|ubN")" "$(get "$rps" "$c|epoll")")
    b=$(ratio "$(get "$rps" "$c|ub1")" "$(get "$rps" "$c|epoll")")
    echo "| requests/s >= 0.95x the epoll server at $c connections |" \
      "${a}x; ${b}x | $(verdict "$a" ">=" 0.95) |"
  done
  a=$(ratio "$(get "$rps" "1000|ubN")" "$(get "$rps" "1000|native")")
  b=$(ratio "$(get "$rps" "1000|ub1")" "$(get "$rps" "1000|native")")
  echo "| requests/s >= 2x native threads at 1000 connections |" \
    "${a}x; ${b}x | $(verdict "$a" ">=" 2) |"
  iper=$(med "$R/idle.tsv" 1 5)
  iopen=$(med "$R/idle.tsv" 1 4)
  held=$(cut -f3 "$R/idle.tsv" | head -1)
  echo "| RSS per idle connection <= 6 KB (6144 bytes) |" \
    "$(get "$iper" ubN); $(get "$iper" ub1) bytes |" \
    "$(verdict "$(get "$iper" ubN)" "<=" 6144) |"
  echo "| $held connections opened in <= 0.5 s |" \
    "$(get "$iopen" ubN); $(get "$iopen" ub1) s (epoll server:" \
    "$(get "$iopen" epoll) s) | $(verdict "$(get "$iopen" ubN)" "<=" 0.5) |"
  a=$(ratio "$(sc "1000|ubN")" "$(sc "1000|epoll")")
  b=$(ratio "$(sc "1000|ub1")" "$(sc "1000|epoll")")
  echo "| syscalls per request <= 1.05x the epoll server's (1000 connections) |" \
    "${a}x; ${b}x | $(verdict "$a" "<=" 1.05) |"
  a=$(pp_ratio "unblock, $NCPU carriers" "native threads")
  b=$(pp_ratio "unblock, 1 carrier" "native threads")
  echo "| pipe ping-pong >= 3x native threads | ${a}x; ${b}x |" \
    "$(verdict "$a" ">=" 3) |"
  for c in 100 1000; do
    a=$(py_ratio "$c" py-ubN)
    b=$(py_ratio "$c" py-ub1)
    echo "| python http.server >= 1.2x gevent at $c connections |" \
      "${a}x; ${b}x | $(verdict "$a" ">=" 1.2) |"
  done
} >"$R/goals.md"

# ---- the page ---------------------------------------------------------------
out=$DOCS/benchmarks.md
{
  cat <<EOF
# Benchmarks

This page is written by \`make bench\` (demos/bench/run.sh, then
demos/bench/report.sh): every figure below comes from the one run it
describes, and a new run replaces it.  \`make check\` asserts behaviour
only; speed is measured here.

## Setup

$(sed 's/^/* /' "$R/machine.txt")
* Every comparison is measured in one run, alternating between the
  contenders (each round runs each of them once, in turn), and the tables
  give the median of the rounds (the lower middle one of an even count).  The load generator shares the machine's
  $NCPU CPUs with the server it measures, so a server that uses more CPU
  takes it from the load generator.
* This is a shared virtual machine; expect a few percent of noise between
  runs, more on latency percentiles.

## HTTP keep-alive

\`wrk -t $NCPU -c CONNS -d ${BENCH_SECS:-3}s\` against each server; the same
minimal HTTP everywhere (demos/http.h, and its Go twin).  RSS is the
server's peak (VmHWM).  Syscalls and context switches per request come from
a separate, untimed run: \`perf stat\` on every thread of the server for 3 s
in the middle of a 6 s wrk run, once every connection is open (the steady
state), divided by the requests wrk sent in that window (its write()
calls, counted by a second perf).  "-": perf could not attach to that
many threads (one counter per thread).

![requests/s against connections](img/bench-http-rps.png)

| server | conns | requests/s | p50 ms | p99 ms | peak RSS MiB | syscalls/req | ctx switches/req |
|---|---:|---:|---:|---:|---:|---:|---:|
EOF
  for c in $conns; do
    for s in $servers; do
      e=$(get "$errs" "$c|$s")
      printf '| %s | %s | %s%s | %s | %s | %s | %s | %s |\n' "$(title "$s")" \
        "$c" "$(get "$rps" "$c|$s")" "$([ "${e:-0}" = 0 ] || echo " ($e errors)")" \
        "$(get "$p50" "$c|$s")" "$(get "$p99" "$c|$s")" \
        "$(awk -v k="$(get "$hwm" "$c|$s")" 'BEGIN {printf "%.1f", k / 1024}')" \
        "$(sc "$c|$s")" "$(cs "$c|$s")"
    done
  done
  cat <<EOF

![latency at 1,000 connections](img/bench-http-latency.png)

## Idle connections

demos/bench/idlers opens N keep-alive connections to the server, each
answered once (so the server has accepted and served it), and holds them;
the server's RSS, threads and memory maps are read meanwhile, and 20 fresh
requests are timed, one after another, while the N are held.  "open" is
the time from the first connect to the last first answer.  RSS per
connection is (RSS held - RSS before) / N.

![RSS per idle connection](img/bench-idle-rss.png)

| server | held | open s | RSS per conn (bytes) | OS threads | maps | new request p50 ms | max ms |
|---|---:|---:|---:|---:|---:|---:|---:|
EOF
  iopen=$(med "$R/idle.tsv" 1 4)
  iper=$(med "$R/idle.tsv" 1 5)
  ith=$(med "$R/idle.tsv" 1 6)
  imaps=$(med "$R/idle.tsv" 1 7)
  ip50=$(med "$R/idle.tsv" 1 8)
  imax=$(med "$R/idle.tsv" 1 9)
  for s in $(cut -f1 "$R/idle.tsv" | awk '!seen[$0]++'); do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(title "$s")" \
      "$(awk -F'\t' -v s="$s" '$1 == s {print $3; exit}' "$R/idle.tsv")" \
      "$(get "$iopen" "$s")" "$(get "$iper" "$s")" "$(get "$ith" "$s")" \
      "$(get "$imaps" "$s")" "$(get "$ip50" "$s")" "$(get "$imax" "$s")"
  done
  cat <<EOF

## Pipe ping-pong

demos/bench/pipepong: two threads pass a counter back and forth over two
pipes, each blocking in read(); an event is one message delivered.  The
same binary runs natively and under unblock; \`pipepong epoll\` is the same
exchange done by one thread with non-blocking pipes and one epoll set.
For context only: Samba measured 232k/s for poll, 251k/s for epoll and
211k/s for io_uring readiness on their hardware.

| run | events/s | syscalls/event |
|---|---:|---:|
EOF
  pev=$(med "$R/pingpong.tsv" 1 2)
  psc=$(med "$R/pingpong.tsv" 1 3)
  cut -f1 "$R/pingpong.tsv" | awk '!seen[$0]++' | while IFS= read -r s; do
    printf '| %s | %s | %s |\n' "$s" "$(get "$pev" "$s")" "$(get "$psc" "$s")"
  done
  cat <<EOF

## Python: http.server against gevent

\`python3 -m http.server\` (Debian's python3: a thread per connection,
HTTP/1.0, so every request is a new connection; its listen backlog is 5)
serving a 6-byte file, natively, under unblock, and with gevent's
monkey-patching.  wrk as above.

| server | conns | requests/s | p50 ms | p99 ms |
|---|---:|---:|---:|---:|
EOF
  if [ -s "$R/python.tsv" ]; then
    prps=$(med "$R/python.tsv" 1,2 4)
    pp50=$(med "$R/python.tsv" 1,2 5)
    pp99=$(med "$R/python.tsv" 1,2 6)
    awk -F'\t' '{print $1 "\t" $2}' "$R/python.tsv" | awk '!seen[$0]++' |
      while IFS=$'\t' read -r c s; do
        printf '| %s | %s | %s | %s | %s |\n' "$(title "$s")" "$c" \
          "$(get "$prps" "$c|$s")" "$(get "$pp50" "$c|$s")" \
          "$(get "$pp99" "$c|$s")"
      done
  fi
  cat <<EOF

## Micro-benchmarks

\`\`\`
$(cat "$R/micro.txt")
\`\`\`

## CPU-bound threads: carriers

\`\`\`
$(cat "$R/carriers.txt")
\`\`\`
EOF
  if [ -s "$R/notes.txt" ]; then
    printf '\n## Notes from this run\n\n'
    sed 's/^/* /' "$R/notes.txt"
  fi
  printf '\n## Goals\n\n'
  cat "$R/goals.md"
  cat <<EOF

### Reading the goals

* **Against native threads.** The load generator runs on the same
  $NCPU CPUs, so no server can go faster than wrk can ask: at 1,000
  connections the hand-written epoll server itself reaches
  $(ratio "$(get "$rps" "1000|epoll")" "$(get "$rps" "1000|native")")x
  native threads, and unblock's ratio is bounded by that, not by the
  runtime.
* **Idle memory.** demos/httpd keeps an 8 KiB request buffer on each
  thread's stack. An idle thread holds the page with its top frames and
  the page where the request landed, 8 KiB, natively too; the runtime adds
  no page of its own (docs/limits.md). The epoll server malloc()s its
  buffers and touches one page in two; Go's goroutine stacks start small.
* **Opening 19,000 connections** is bounded by the kernel's loopback TCP
  handshakes, with the client on the same CPUs: the epoll server, which
  does the least per connection, takes
  $(get "$(med "$R/idle.tsv" 1 4)" epoll) s.
* **More carriers** than the server has CPUs to itself cost a little: the
  load generator takes the other CPU, and each carrier's epoll_wait
  returns fewer events at once. One carrier matches the epoll server's
  system calls per request.
* **Python** holds the GIL: with two carriers, every hand-over of the GIL
  between threads on different carriers is a cross-CPU wake-up. At 100
  connections, http.server under unblock made $(py_ratio 100 py-ub1)x
  gevent's requests/s with one carrier, and $(py_ratio 100 py-ubN)x with
  $NCPU. Each request also writes a log line to stderr, a regular file
  here, which unblock sends to its helper pool.
EOF
} >"$out.tmp"
mv "$out.tmp" "$out"

# ---- the README's table -----------------------------------------------------
# Replaces what lies between the markers; a README without them is left
# alone, with a message.
if grep -q '^<!-- bench:begin -->$' "$README" &&
  grep -q '^<!-- bench:end -->$' "$README"; then
  block=$R/tmp.readme
  {
    echo '<!-- bench:begin -->'
    echo "From \`make bench\` on $(sed -n 's/^Date: //p' "$R/machine.txt"):" \
      "$(sed -n 's/^Machine: //p' "$R/machine.txt")" \
      "The load generator shares the CPUs. Full tables: [docs/benchmarks.md](docs/benchmarks.md)."
    echo
    echo "| server | requests/s, 1,000 conns | p99 ms, 1,000 conns | RSS per idle conn, $(cut -f3 "$R/idle.tsv" | head -1) held | OS threads, $(cut -f3 "$R/idle.tsv" | head -1) held |"
    echo "|---|---:|---:|---:|---:|"
    iper=$(med "$R/idle.tsv" 1 5)
    ith=$(med "$R/idle.tsv" 1 6)
    for s in $servers; do
      printf '| %s | %s | %s | %s B | %s |\n' "$(title "$s")" \
        "$(get "$rps" "1000|$s")" "$(get "$p99" "1000|$s")" \
        "$(get "$iper" "$s")" "$(get "$ith" "$s")"
    done
    echo
    echo '![requests/s against connections](docs/img/bench-http-rps.png)'
    echo '<!-- bench:end -->'
  } >"$block"
  awk -v f="$block" '
    /^<!-- bench:begin -->$/ {while ((getline l < f) > 0) print l; skip = 1; next}
    /^<!-- bench:end -->$/ {skip = 0; next}
    !skip' "$README" >"$README.tmp"
  mv "$README.tmp" "$README"
else
  echo "report: $README has no bench:begin/bench:end markers;" \
    "its table was not updated" >&2
fi
rm -f "$R"/tmp.*
echo "report: wrote $out, $IMG/bench-*.png and the table in $README"
