#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/flash-usb-vs-dfu-util: flashing the same package to the same
# emulated USB DFU device (fwseal-sim --usb, umockdev) with `fwseal flash`
# and with the unmodified `dfu-util -D -R`, alternating, each run against a
# factory-fresh device, for each image size; min and median of RUNS.
#
# What each tool does in its measured time (from just before the command
# starts until it has exited; timed inside the emulation, so the emulator's
# own start-up is left out):
#   fwseal flash --yes --json:  start-up, package check (signature, chain),
#     device info, download, manifestation (the device reads the image back
#     and commits it), RESET, and the wait until the restarted device reports
#     the new version (it re-enumerates: the emulation takes its device off
#     the bus for 50 ms, usbemu.c reenum_ms), and the production record
#     (records are on by default; a second fwseal run with --no-records
#     shows what they cost). Also printed: the time until its RESET
#     request, the point where dfu-util's -R ends too, and the time fwseal
#     spent in non-zero (nano)sleeps of its own (its polling back-off after
#     RESET; a wait in poll() for a libusb hotplug arrival is not counted).
#   dfu-util -D -R:      start-up, download, manifestation, reset; it does not
#     wait for the device to come back.
# dfu-util "with its fixed sleeps taken out": dfu-util sleeps for fixed times
# of its own (1 s before it exits after -R, seen under strace) besides the
# device's bwPollTimeout; the emulated device reports bwPollTimeout 0, so
# every sleep dfu-util asks for with a non-zero length is one of its own.
# Both tools run under the same `strace -f --seccomp-bpf -e
# trace=clock_nanosleep,nanosleep -T` (only those calls stop the process),
# and the time dfu-util spent in non-zero sleeps is subtracted from its wall
# time. fwseal's time is never reduced.
#
# Usage: bench/flash-usb-vs-dfu-util/run.sh [BUILD_DIR] [RUNS]
#   env SIZES_KIB="128 4096"
# Last line: flash-usb-vs-dfu-util: ratio=<highest median fwseal / dfu-util
# without its fixed sleeps> target=1.0
# Needs: umockdev, dfu-util, strace (Debian packages).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
runs=${2:-5}
sizes=${SIZES_KIB:-128 4096}
fwseal=$build/host-tool/cli/fwseal
sim=$build/device-stub/ports/posix/fwseal-sim
for t in "$fwseal" "$sim"; do [ -x "$t" ] || { echo "missing $t: build first (ninja -C $build)" >&2; exit 2; }; done
for c in dfu-util strace; do
	command -v "$c" >/dev/null || { echo "$c is not installed (apt-get install $c)" >&2; exit 2; }
done

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export XDG_DATA_HOME=$tmp/data
"$fwseal" key generate --out k >/dev/null
"$fwseal" key export-trust --out trust.fwst k.pub >/dev/null
cat > release.ini <<INI
vendor_id = 0x1209
class_id = 0x0001
model = BENCH-1
hw_rev_min = 1
hw_rev_max = 1
component = app
version = 1.0.0
security_counter = 1
block_size = 4096
release_date = 2026-01-01
support_end = 2030-12-31
security_update = no
severity = none
reboot = yes
downtime_s = 5
INI

# one TOOL_ARGS...: "wall_ms fixed_sleep_ms until_reset_ms" of the command
# against a fresh device, timed inside the emulation (python3's monotonic
# clock, from before the process starts until it has exited), under strace
# as described above; until_reset_ms: when fwseal's JSON progress said
# "restart" (the RESET request; -1 for dfu-util)
one() {
	rm -rf state st.txt
	"$sim" --state state --trust trust.fwst --model BENCH-1 --serial-number B1 --flash-size 16M \
		--usb -- \
		python3 -c '
import subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(["strace", "-f", "--seccomp-bpf", "-e", "trace=clock_nanosleep,nanosleep",
                      "-T", "-o", "st.txt"] + sys.argv[1:], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True)
reset = -1
for line in p.stdout:
    if reset < 0 and "\"phase\":\"restart\"" in line:
        reset = (time.monotonic() - t0) * 1000
rc = p.wait()
t = (time.monotonic() - t0) * 1000
if rc != 0:
    sys.exit(1)
print(int(t), int(reset))' "$@" 2>/dev/null | tail -n 1 | {
		read -r wall reset
		# non-zero sleeps: everything but {tv_sec=0, tv_nsec=0}; the time spent
		# in them is strace's <...> at the end of the line
		sleep_ms=$(awk '/nanosleep\(/ && !/tv_sec=0, tv_nsec=0}/ && /<[0-9.]+>$/ {
			match($0, /<[0-9.]+>$/); s += substr($0, RSTART + 1, RLENGTH - 2) }
			END { printf "%d", s * 1000 }' st.txt)
		echo "$wall $sleep_ms $reset"
	}
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "%d %d\n", a[1], a[int((NR+1)/2)]}'; }

echo "bench/flash-usb-vs-dfu-util, $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $runs runs each, alternating"
worst=0
for kib in $sizes; do
	head -c $((kib * 1024)) /dev/urandom > image.bin
	"$fwseal" pack --image image.bin --release release.ini --key k.key --out pkg.fwseal >/dev/null
	: > fwseal.ms; : > fwseal-reset.ms; : > fwseal-sleep.ms; : > fwseal-norec.ms; : > dfu.ms; : > dfu-nosleep.ms
	: > dfu-sleep.ms
	for _ in $(seq "$runs"); do
		read -r f fs r < <(one "$fwseal" flash pkg.fwseal --device usb --yes --trust trust.fwst --json)
		echo "$f" >> fwseal.ms; echo "$r" >> fwseal-reset.ms; echo "$fs" >> fwseal-sleep.ms
		read -r f _ _ < <(one "$fwseal" flash pkg.fwseal --device usb --yes --trust trust.fwst --json \
			--no-records)
		echo "$f" >> fwseal-norec.ms
		read -r d s _ < <(one dfu-util -d 1209:0001 -a 0 -D pkg.fwseal -R)
		echo "$d" >> dfu.ms; echo "$s" >> dfu-sleep.ms; echo $((d - s)) >> dfu-nosleep.ms
	done
	read -r fmin fmed < <(stats < fwseal.ms)
	read -r rmin rmed < <(stats < fwseal-reset.ms)
	read -r xmin xmed < <(stats < fwseal-norec.ms)
	read -r dmin dmed < <(stats < dfu.ms)
	read -r nmin nmed < <(stats < dfu-nosleep.ms)
	read -r _ smed < <(stats < dfu-sleep.ms)
	read -r _ fsmed < <(stats < fwseal-sleep.ms)
	echo
	echo "$kib KiB image, package $(stat -c %s pkg.fwseal) bytes; ms, min / median of $runs:"
	printf '  fwseal flash (to the new version reported)      %6d / %6d\n' "$fmin" "$fmed"
	printf '    of which until its RESET request              %6d / %6d\n' "$rmin" "$rmed"
	printf '    of which in non-zero sleeps (median; polling) %6s   %6d\n' "" "$fsmed"
	printf '  fwseal flash --no-records                       %6d / %6d\n' "$xmin" "$xmed"
	printf '  dfu-util -D -R as measured                      %6d / %6d\n' "$dmin" "$dmed"
	printf '  dfu-util without its fixed sleeps (median %d)  %6d / %6d\n' "$smed" "$nmin" "$nmed"
	r1=$(awk -v f="$fmed" -v d="$dmed" 'BEGIN { printf "%.2f", f / d }')
	r2=$(awk -v f="$fmed" -v d="$nmed" 'BEGIN { printf "%.2f", f / (d > 0 ? d : 1) }')
	echo "  ratio fwseal / dfu-util: ${r1}x as measured, ${r2}x against dfu-util without its sleeps (target <= 1.0x)"
	worst=$(awk -v a="$worst" -v b="$r2" 'BEGIN { print (b > a) ? b : a }')
done
echo
echo "flash-usb-vs-dfu-util: ratio=$worst target=1.0"
