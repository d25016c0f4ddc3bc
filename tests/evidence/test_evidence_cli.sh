#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `fwseal evidence` end to end (issue 7): real keys and packages from
# `fwseal key` / `fwseal pack`, the example product description, a simulated
# device; exit codes, the stale-pack note, a missing justification, and a
# planted defect that must make the command fail.
# Usage: test_evidence_cli.sh FWSEAL FWSEAL_SIM SRCDIR
set -u
FWSEAL=$(realpath "$1")
SIM=$(realpath "$2")
SRC=$(realpath "$3")
T=$(mktemp -d /tmp/fwseal-evcli-XXXXXX)
sim_pid=
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { # expect RC CMD...
	local want=$1; shift
	"$@" >out.txt 2>err.txt
	local rc=$?
	[ "$rc" = "$want" ] || { fail "'$*' exited $rc, expected $want"; sed 's/^/    /' err.txt | head -20; }
}
has() { grep -qE -- "$2" "$1" || { fail "$1 lacks /$2/"; sed 's/^/    /' "$1" | head -10; }; }

sim_start() { # sim_start [--defect NAME]
	rm -rf dev
	"$SIM" --state dev --trust vendor.trust --model ACME-THERMO-2 --hw-rev 2 \
		--serial-number CLI-0001 "$@" >sim.out 2>sim.log &
	sim_pid=$!
	dev=
	for _ in $(seq 50); do
		dev=$(grep -m1 '^serial:' sim.out 2>/dev/null || true)
		[ -n "$dev" ] && return 0
		sleep 0.1
	done
	fail "simulator did not start"; cat sim.log
	exit 1
}
sim_stop() { kill "$sim_pid"; wait "$sim_pid" 2>/dev/null; sim_pid=; }

REL="$SRC/examples/release-example.ini"
PROD="$SRC/examples/product-example.ini"
"$FWSEAL" key generate --out vendor >/dev/null || exit 1
"$FWSEAL" key export-trust --out vendor.trust vendor.pub >/dev/null || exit 1
head -c 30000 /dev/urandom >a.bin
head -c 40000 /dev/urandom >b.bin
"$FWSEAL" pack --image a.bin --release "$REL" --key vendor.key --out old.fwseal \
	--set version=1.4.1 --set security_counter=6 >/dev/null || exit 1
"$FWSEAL" pack --image b.bin --release "$REL" --key vendor.key --out new.fwseal >/dev/null || exit 1

# usage
expect 2 "$FWSEAL" evidence --product "$PROD" --package new.fwseal
# without a device: the pack, and FT-09 only
expect 0 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust vendor.trust --out pack
has pack/evidence.json '"provision": "5.3-16"'
has pack/evidence.md 'does not claim conformance'
[ -f pack/logs/FT-09-notices-in-package.log ] || fail "no FT-09 log"
# another release into the same folder: stale note
expect 0 "$FWSEAL" evidence --product "$PROD" --package old.fwseal --trust vendor.trust --out pack --json
has err.txt 'is stale'
has out.txt '"stale": "the existing pack'
has pack/evidence.json '"firmware_version": "1.4.1"'
# a package the trust store does not accept: exit 3
"$FWSEAL" key generate --out other >/dev/null
"$FWSEAL" key export-trust --out other.trust other.pub >/dev/null
expect 3 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust other.trust --out p3
# missing justification: stops, names the provision, writes nothing
sed '/^\[ics 5.3-4\]/,/^\[/{/^justification/,/^$/d}' "$PROD" >nojust.ini
expect 1 "$FWSEAL" evidence --product nojust.ini --package new.fwseal --trust vendor.trust --out p4
has err.txt '5\.3-4'
[ -e p4 ] && fail "a pack was written despite the missing justification"

# a correct simulated device: every test that can run passes, exit 0
sim_start
expect 0 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust vendor.trust \
	--device "$dev" --previous old.fwseal --out pack
has pack/evidence.json '"id": "FT-07-downgrade"'
grep -q '"verdict": "FAIL"' pack/evidence.json && fail "a FAIL verdict on a correct device"
has pack/evidence.json '"device_serial": "CLI-0001"'
"$FWSEAL" info "$dev" >info.txt 2>&1
has info.txt '1\.4\.2'
sim_stop

# a device that accepts downgrades: the pack says FAIL, the command exits 1
sim_start --defect accept-downgrade
expect 0 "$FWSEAL" flash new.fwseal --device "$dev" --trust vendor.trust --yes
expect 1 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust vendor.trust \
	--device "$dev" --previous old.fwseal --out pack
has err.txt 'FT-07-downgrade FAILED'
sim_stop

# the same tests over emulated USB: USB DFU and HID (needs umockdev; skipped without)
usb_run() { # usb_run STATE CMD...
	local st=$1; shift
	rm -rf "$st"
	"$SIM" --state "$st" --trust vendor.trust --model ACME-THERMO-2 --hw-rev 2 \
		--serial-number USB-0001 --vendor-id 0x1209 --class-id 0x0001 --usb -- "$@"
}
if usb_run probe true >/dev/null 2>&1; then
	sed 's/^interfaces *=.*/interfaces = usb-dfu, hid, serial/' "$PROD" >prod-usb.ini
	for dev in usb:1209:0001 hid:1209:0001; do
		expect 0 usb_run devusb "$FWSEAL" evidence --product prod-usb.ini --package new.fwseal \
			--trust vendor.trust --device "$dev" --previous old.fwseal --out "pack-${dev%%:*}"
		has "pack-${dev%%:*}/evidence.json" '"device_serial": "USB-0001"'
		grep -q '"verdict": "FAIL"' "pack-${dev%%:*}/evidence.json" && fail "FAIL verdict over $dev"
	done
else
	echo "SKIP: emulated USB not available (umockdev), USB DFU and HID runs not done"
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
