#!/usr/bin/env bash
# hubtap's benchmark suite: one command, one report (docs/BENCHMARKS.md).
#
#   bash bench/run.sh                      # everything, about 8 minutes on 2 cores
#   bash bench/run.sh -runs 3 -window 5s   # quicker; flags go to bench/cmd/hubbench
#   bash bench/run.sh -only drain          # one part: drain, tui, startup, size, burst
#   bash bench/run.sh -only drain -n 200000 -runs 1   # a quick drain: hubtap sub,
#                                          # the reference client and mosquitto_sub at QoS 0 and 1
#
# It installs what is missing (mosquitto, mosquitto-clients, tmux) with apt-get
# when it can, builds hubtap and the tools into a temporary directory, runs
# bench/cmd/hubbench (drain against mosquitto_sub, TUI in tmux, time to first
# frame, binary size) and then the Go benchmarks, and prints Markdown tables.
# Everything it starts (mosquitto, a tmux server on its own socket, simulated
# brokers) listens on 127.0.0.1 only and is stopped before it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have tmux || missing+=(tmux)
have mosquitto || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
have mosquitto_sub || missing+=(mosquitto-clients)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && have apt-get; then
		echo "bench: installing ${missing[*]} ..." >&2
		if ! { apt-get install -y "${missing[@]}" || { apt-get update && apt-get install -y "${missing[@]}"; }; } >/dev/null 2>&1; then
			echo "bench: could not install ${missing[*]}: the parts that need them are skipped" >&2
		fi
	else
		echo "bench: ${missing[*]} missing and apt-get is not available to this user: the parts that need them are skipped" >&2
	fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "bench: building ..." >&2
go build -o "$work/hubtap" .
go build -ldflags='-s -w' -o "$work/hubtap-stripped" .
go build -o "$work/publish" ./bench/cmd/publish
go build -o "$work/refsub" ./bench/cmd/refsub
go build -o "$work/hubbench" ./bench/cmd/hubbench

"$work/hubbench" -hubtap "$work/hubtap" -hubtap-stripped "$work/hubtap-stripped" \
	-publish "$work/publish" -refsub "$work/refsub" -work "$work" "$@"

echo
echo "## Go benchmarks"
echo
echo "go test -run '^\$' -bench . -benchmem ./bench/ ./filters/ ./history/ ./broker/"
echo
echo '```'
go test -run '^$' -bench . -benchmem ./bench/ ./filters/ ./history/ ./broker/ 2>&1 |
	grep -E '^(Benchmark|ok|FAIL|---)' || true
echo '```'
