#!/bin/bash
# bench/flash-usb-vs-dfu-util: time to flash the same package to the same
# emulated USB device (fwseal-sim --usb) with `fwseal flash` and with the
# unmodified dfu-util; prints both medians and the ratio (target <= 1.0).
# Usage: bench/flash-usb-vs-dfu-util/run.sh [BUILD_DIR] [IMAGE_KIB] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
kib=${2:-1024}
runs=${3:-5}
fwseal=$build/host-tool/cli/fwseal
sim=$build/device-stub/ports/posix/fwseal-sim
for t in "$fwseal" "$sim"; do [ -x "$t" ] || { echo "missing $t: build first (ninja -C $build)" >&2; exit 2; }; done
command -v dfu-util >/dev/null || { echo "dfu-util is not installed (apt-get install dfu-util)" >&2; exit 2; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$fwseal" key generate --out k >/dev/null
"$fwseal" key export-trust --out trust.fwst k.pub >/dev/null
head -c $((kib * 1024)) /dev/urandom > image.bin
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
"$fwseal" pack --image image.bin --release release.ini --key k.key --out pkg.fwseal >/dev/null

# ms for COMMAND against a factory-fresh device (time measured inside the
# emulation, so only the host's work and the device's answers count)
one() {
	rm -rf state
	"$sim" --state state --trust trust.fwst --model BENCH-1 --serial-number B1 --usb -- \
		sh -c 't0=$(date +%s%N); "$@" >/dev/null 2>&1 || exit 1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 ))' \
		sh "$@" 2>/dev/null
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$runs"); do one "$fwseal" flash pkg.fwseal --device usb --yes --trust trust.fwst; done > fwseal.ms
for i in $(seq "$runs"); do one dfu-util -d 1209:0001 -a 0 -D pkg.fwseal -R; done > dfu-util.ms
f=$(median < fwseal.ms); d=$(median < dfu-util.ms)
echo "package: $(stat -c %s pkg.fwseal) bytes ($kib KiB image), $runs runs each, median"
echo "fwseal flash (download, manifest, reset, wait until the new version reports): $f ms"
echo "dfu-util -D -R (download, manifest, reset):                                   $d ms"
awk -v f="$f" -v d="$d" 'BEGIN { printf "ratio fwseal/dfu-util: %.2fx (target <= 1.0x)\n", f / d }'
