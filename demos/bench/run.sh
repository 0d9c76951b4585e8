#!/usr/bin/env bash
# run.sh - `make bench`: every benchmark, in one run, then the report.
#
# Usage: run.sh BUILD DOCS README   (the Makefile passes build, docs and
#                                    README.md)
#
# 1. Tools: wrk (required), gnuplot, Go and python3-gevent are installed
#    with apt-get when missing and this runs as root; otherwise the part
#    that needs one is skipped with a note that says so.
# 2. The parts, each its own script, all sharing lib.sh:
#      micro       green-thread switch, spawn, timers, wake-ups (C)
#      http.sh     wrk at 100, 1,000 and 10,000 connections
#      idle.sh     about 19,000 idle connections per server
#      pingpong.sh pipe ping-pong between two threads
#      python.sh   python3 -m http.server, natively, unblock, gevent
#      carriers.sh CPU-bound threads on 1 and on every carrier
# 3. report.sh writes docs/benchmarks.md, docs/img/bench-*.png and the
#    README's table from what the parts left in BUILD/bench.
# Every server a part starts is stopped before the next one starts.
set -euo pipefail
B=${1:?usage: run.sh BUILD DOCS README}
DOCS=${2:?usage: run.sh BUILD DOCS README}
README=${3:?usage: run.sh BUILD DOCS README}
HERE=$(dirname "$0")
RESULTS=$B/bench
export RESULTS
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: >"$RESULTS/notes.txt"
start=$(date +%s)

# ---- tools --------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v go >/dev/null || need+=(golang-go)
/usr/bin/python3 -c 'import gevent' 2>/dev/null || need+=(python3-gevent)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 &&
        apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; } ||
      echo "bench: apt-get could not install ${need[*]}" >&2
  else
    echo "bench: missing ${need[*]}, and not root: those parts are skipped" >&2
  fi
fi
command -v wrk >/dev/null ||
  { echo "bench: wrk is required: apt-get install wrk" >&2; exit 1; }

# The Go contender, built here since Go may have just been installed.  Its
# caches stay in the build directory; GO111MODULE=off needs no network.
rm -f "$B/demos/bench/goserver"
if command -v go >/dev/null; then
  GOCACHE=$(realpath "$B")/gocache GOPATH=$(realpath "$B")/gopath \
    GO111MODULE=off GOFLAGS= go build -o "$B/demos/bench/goserver" \
    "$HERE/goserver.go" || echo "Go server did not build: left out" >>"$RESULTS/notes.txt"
else
  echo "Go is not installed: the Go server is left out (apt-get install golang-go)" \
    >>"$RESULTS/notes.txt"
fi

# ---- the machine ----------------------------------------------------------------
{
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
  os=$(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release 2>/dev/null)
  echo "Machine: $(nproc) CPUs ($model), $mem, ${os:-Linux}, Linux $(uname -r)."
  echo "Software: glibc $(ldd --version | head -1 | awk '{print $NF}')," \
    "$(${CC:-gcc} --version | head -1), wrk $(wrk -v 2>&1 | head -1 |
      awk '{print $2}'), $(go version 2>/dev/null | awk '{print $3}' ||
      echo 'no Go'), Python $(/usr/bin/python3 -c \
      'import platform; print(platform.python_version())')."
  echo "Limits: ulimit -n $(ulimit -n); the servers and the load" \
    "generators run on the same $(nproc) CPUs."
} >"$RESULTS/machine.txt"
cat "$RESULTS/machine.txt"

# ---- the parts ------------------------------------------------------------------
"$B/demos/bench/micro" | tee "$RESULTS/micro.txt"
bash "$HERE/http.sh" "$B"
bash "$HERE/idle.sh" "$B"
bash "$HERE/pingpong.sh" "$B"
bash "$HERE/python.sh" "$B"
bash "$HERE/carriers.sh" "$B" | tee "$RESULTS/carriers.txt"
bash "$HERE/report.sh" "$B" "$DOCS" "$README"
echo "bench: done in $(($(date +%s) - start)) s"
