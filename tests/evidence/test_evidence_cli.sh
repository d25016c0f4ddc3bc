#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `fwseal evidence` end to end: real keys and packages from `fwseal key` /
# `fwseal pack` (with an SBOM), the example product description, simulated
# devices. Exit codes (0 all PASS, 12 a FAIL, 13 INCONCLUSIVE, ...), keys that
# must be refused, the stale-pack note, one shared run over USB DFU (emulated
# USB) and serial at once that must PASS everywhere, a signed pack that
# `fwseal evidence verify` accepts and that fails it once a file is changed,
# a planted defect, the lab's --power-cut hook, and FT-11 INCONCLUSIVE when the
# hook cuts nothing or there is no way to cut the power.
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
	[ "$rc" = "$want" ] || { fail "'$*' exited $rc, expected $want"; sed 's/^/    /' err.txt | tail -25; }
}
has() { grep -qE -- "$2" "$1" || { fail "$1 lacks /$2/"; sed 's/^/    /' "$1" | head -10; }; }
hasnt() { ! grep -qE -- "$2" "$1" || { fail "$1 has /$2/"; grep -E -- "$2" "$1" | head -5; }; }

sim_start() { # sim_start STATE [options...]: serial device in $dev, control in $ctl
	local st=$1; shift
	rm -rf "$st"
	"$SIM" --state "$st" --trust lab.trust --model ACME-THERMO-2 --hw-rev 2 --component app \
		--serial-number CLI-0001 "$@" >sim.out 2>sim.log &
	sim_pid=$!
	dev= ctl=
	for _ in $(seq 50); do
		ctl=$(sed -n 's/^control://p' sim.out 2>/dev/null)
		[ -n "$ctl" ] && break
		sleep 0.1
	done
	dev=$(grep -m1 '^serial:' sim.out)
	[ -n "$dev" ] && [ -n "$ctl" ] || { fail "simulator did not start"; cat sim.log; exit 1; }
}
sim_stop() { kill "$sim_pid"; wait "$sim_pid" 2>/dev/null; sim_pid=; }

REL="$SRC/examples/release-example.ini"
PROD="$SRC/examples/product-example.ini"
for k in vendor lab revoked evidence; do "$FWSEAL" key generate --out $k >/dev/null || exit 1; done
# a lab build's trust store: the release key, the lab test key, a revoked key
"$FWSEAL" key export-trust --out lab.trust vendor.pub lab.pub revoked.pub --revoke revoked.pub \
	>/dev/null || exit 1
cp "$SRC/examples/sbom-example.cdx.json" app.cdx.json
head -c 30000 /dev/urandom >a.bin
head -c 40000 /dev/urandom >b.bin
"$FWSEAL" pack --image a.bin --release "$REL" --key vendor.key --out old.fwseal \
	--set version=1.4.1 --set security_counter=6 >/dev/null || exit 1

# --- the SBOM: its SHA-256 signed into the package --------------------------
expect 0 "$FWSEAL" pack --image b.bin --release "$REL" --key vendor.key --out new.fwseal \
	--set sbom=app.cdx.json
has out.txt "sbom sha256:  $(sha256sum app.cdx.json | cut -c1-64)"
expect 0 "$FWSEAL" inspect new.fwseal
has out.txt "SBOM SHA-256: +$(sha256sum app.cdx.json | cut -c1-64)"
expect 2 "$FWSEAL" pack --image b.bin --release "$REL" --key vendor.key --out x.fwseal \
	--set sbom=a.bin
has err.txt 'not a CycloneDX or SPDX JSON SBOM'
[ -e x.fwseal ] && fail "a package was written with a file that is no SBOM"
sed 's/^# sbom = .*/sbom = app.cdx.json/' "$REL" >rel.ini
cp "$REL" rel-other.ini && sed -i 's/^version *=.*/version = 9.9.9/' rel-other.ini

# --- inputs refused before any device is touched -------------------------------
expect 2 "$FWSEAL" evidence --product "$PROD" --package new.fwseal
expect 2 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust --out p \
	--edition en303645-v9
has err.txt 'en303645-v2.1.1, en303645-v3.1.3'
# the release key given as the lab test key (scripts/demo once did this)
expect 2 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--test-key vendor.key --out p
has err.txt 'test key vendor.key \(key id [0-9a-f]{16}\) signed the release new.fwseal'
[ -e p ] && fail "a pack was written with the release key as test key"
# the evidence key must sign nothing else
expect 2 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--sign-key vendor.key --out p
has err.txt 'evidence key vendor.key .* signed the release'
expect 2 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--sign-key lab.key --out p
has err.txt 'is in the trust store devices carry'
# a release description that does not describe the package
expect 1 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--release rel-other.ini --out p
has err.txt "their 'version' differ"
# a package the trust store does not accept: exit 3
"$FWSEAL" key generate --out other >/dev/null
"$FWSEAL" key export-trust --out other.trust other.pub >/dev/null
expect 3 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust other.trust --out p3
# missing justification: stops, names the provision, writes nothing
sed '/^\[ics 5.3-5\]/,/^\[/{/^justification/,/^$/d}' "$PROD" >nojust.ini
sed -i 's#^defaults_file .*#defaults_file = '"$SRC"'/gui/data/io.github.fwseal.Fwseal.gschema.xml#' \
	nojust.ini
expect 1 "$FWSEAL" evidence --product nojust.ini --package new.fwseal --trust lab.trust --out p4
has err.txt '5\.3-5'
[ -e p4 ] && fail "a pack was written despite the missing justification"

# --- without a device: written, but not all PASS: exit 13 ---------------------
expect 13 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--release rel.ini --out pack
has pack/evidence.json '"provision": "5.3-16"'
has pack/evidence.md 'does not claim conformance'
has pack/evidence.md 'no functional test ran against a device'
has pack/evidence.md "The SBOM file the release description names \(app.cdx.json, CycloneDX JSON 1.5\) has that SHA-256"
has err.txt 'FT-00-interface-tested over usb-dfu INCONCLUSIVE'
(cd pack && sha256sum -c --quiet evidence.sha256) || fail "evidence.sha256 does not match the files"
# another release into the same folder: stale note
expect 13 "$FWSEAL" evidence --product "$PROD" --package old.fwseal --trust lab.trust --out pack --json
has err.txt 'is stale'
has out.txt '"stale": "the existing pack'
has out.txt '"exit_code": 13'
has pack/evidence.json '"firmware_version": "1.4.1"'

# --- USB DFU and serial in one run: every verdict PASS, signed, verified ------
usb_ok=0
if "$SIM" --state probe --trust lab.trust --model ACME-THERMO-2 --usb -- true >/dev/null 2>&1; then
	usb_ok=1
	sim_start devser
	rm -rf devusb
	expect 0 "$SIM" --state devusb --trust lab.trust --model ACME-THERMO-2 --hw-rev 2 \
		--component app --serial-number USB-0001 --vendor-id 0x1209 --class-id 0x0001 --usb -- \
		env "SERIAL_CTL=$ctl" bash -c 'FWSEAL_SIM_CONTROL="$FWSEAL_SIM_CONTROL:$SERIAL_CTL" exec "$@"' \
		sh "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
		--release rel.ini --device usb:1209:0001 --device "$dev" --previous old.fwseal \
		--test-key lab.key --revoked-key revoked.key --sign-key evidence.key --out both
	sim_stop
	hasnt both/evidence.json '"verdict": "(FAIL|INCONCLUSIVE)"'
	has both/evidence.json '"transport": "usb-dfu"'
	has both/evidence.json '"transport": "serial"'
	has both/evidence.json '"device_serial": "USB-0001"'
	has both/evidence.json '"device_serial": "CLI-0001"'
	has both/evidence.md '\*\*Devices: SIMULATED.\*\* 2 of the 2'
	has both/evidence.md 'FT-11-power-cut over usb-dfu: PASS'
	[ -f both/logs/usb-dfu/FT-04-tampered-block.log ] || fail "no USB log for FT-04"
	[ -f both/logs/serial/FT-04-tampered-block.log ] || fail "no serial log for FT-04"
	has both/logs/usb-dfu/FT-02-authentic-update.log 'Change      firmware 1\.4\.1 -> 1\.4\.2'
	expect 0 "$FWSEAL" evidence verify both --key evidence.pub
	has out.txt 'as the holder of this evidence key signed it'
	expect 3 "$FWSEAL" evidence verify both --key lab.pub
	sed -i 's/PASS/PASS!/' both/logs/serial/FT-07-downgrade.log
	expect 3 "$FWSEAL" evidence verify both --key evidence.pub
	has out.txt 'BAD  logs/serial/FT-07-downgrade.log: SHA-256 differs'
	has err.txt 'does not verify \(tampered\)'
else
	echo "SKIP: emulated USB not available (umockdev): the USB DFU + serial run is not done"
fi

# --- a device that accepts downgrades: FT-07 FAILs, 5.3-2 is flagged, exit 12 -
sim_start devdef --defect accept-downgrade
expect 12 env "FWSEAL_SIM_CONTROL=$ctl" "$FWSEAL" evidence --product "$PROD" --edition \
	en303645-v3.1.3 --package new.fwseal --trust lab.trust --device "$dev" --previous old.fwseal \
	--test-key lab.key --revoked-key revoked.key --release rel.ini --out def
sim_stop
has err.txt 'FT-07-downgrade over serial FAILED'
has def/evidence.md '### 5\.3-2: Y \(flagged: FAIL in this run\)'
has def/evidence.md 'ETSI EN 303 645 V3\.1\.3'
has def/evidence.json '"ics_flagged": \[$'

# --- the lab's power-cut hook (here: the simulator's, through --ask) ----------
sim_start devhook
expect 13 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--device "$dev" --previous old.fwseal --test-key lab.key --revoked-key revoked.key \
	--release rel.ini --power-cut "'$SIM' --ask '$ctl' power-cut now off-ms 200" --out hook
sim_stop
has hook/logs/serial/FT-11-power-cut.log "ok power-cut"
has hook/logs/serial/FT-11-power-cut.log "DFU state after the cut: dfuIDLE"
has hook/evidence.json '"id": "FT-11-power-cut",'
grep -A8 '"id": "FT-11-power-cut",' hook/evidence.json | grep -q '"verdict": "PASS"' ||
	fail "FT-11 with the --power-cut hook did not PASS"
[ "$usb_ok" = 1 ] && has hook/evidence.md 'FT-00-interface-tested over usb-dfu: INCONCLUSIVE'

# --- a hook that cuts nothing is not taken for a power cut; without a hook or
# a control socket FT-11 says no cut was made. Both INCONCLUSIVE, never PASS.
ft11() { grep -A12 '"id": "FT-11-power-cut",' "$1/evidence.json"; }
sim_start devnocut
expect 13 "$FWSEAL" evidence --product "$PROD" --package new.fwseal --trust lab.trust \
	--device "$dev" --previous old.fwseal --release rel.ini --power-cut true --out nocut
sim_stop
ft11 nocut >ft11.txt
has ft11.txt '"verdict": "INCONCLUSIVE"'
has ft11.txt 'still held the download session after the command .*its power was not cut'
sim_start devnone
expect 13 env -u FWSEAL_SIM_CONTROL "$FWSEAL" evidence --product "$PROD" --package new.fwseal \
	--trust lab.trust --device "$dev" --previous old.fwseal --release rel.ini --out none
sim_stop
ft11 none >ft11.txt
has ft11.txt '"verdict": "INCONCLUSIVE"'
has ft11.txt 'No power cut could be made: no --power-cut command was given'
has none/evidence.md '\| none: no --power-cut command, and the device offers no power-cut control \|'

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
