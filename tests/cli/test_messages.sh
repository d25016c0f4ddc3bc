#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The CLI's messages against docs/messages.md, without a device (issue 15):
# each `scenario ID CMD...` runs a command that meets cause ID and checks
# that it exits with the row's code and prints exactly one "fwseal: " line
# that says the row's message. The same cause is met through every command
# that can meet it, so the commands cannot drift apart. tests/unit/
# test_cli_msg.c checks that every row that is not a catalogue message or a
# protocol error is a scenario here or in test_cli_device.sh.
# Usage: test_messages.sh FWSEAL DOCS_MESSAGES RELEASE_EXAMPLE
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
FWSEAL=$(realpath "$1")
DOC=$(realpath "$2")
REL=$(realpath "$3")
T=$(mktemp -d /tmp/fwseal-msg-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"
. "$SUPPORT/messages.sh"
# no trust store anywhere unless a test names one
export XDG_CONFIG_HOME="$T/config" HOME="$T/home"
unset FWSEAL_TRUST
mkdir -p "$T/home"

# --- fixtures: keys, trust stores, packages --------------------------------
"$FWSEAL" key generate --out k1 >/dev/null || exit 1
"$FWSEAL" key generate --out k2 >/dev/null || exit 1
K1=$("$FWSEAL" key export-trust --out t1.fwst k1.pub | sed -n 's/^\([0-9a-f]\{16\}\) .*/\1/p')
K2=$("$FWSEAL" key export-trust --out t2.fwst k2.pub | sed -n 's/^\([0-9a-f]\{16\}\) .*/\1/p')
"$FWSEAL" key export-trust --out trev.fwst k1.pub --revoke k1.pub >/dev/null || exit 1
head -c 1000 /dev/urandom >garbage.fwst
head -c 30000 /dev/urandom >img.bin
"$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out p.fwseal >/dev/null || exit 1
size=$(stat -c %s p.fwseal)
head -c 3000 p.fwseal >trunc.fwseal
cp p.fwseal block.fwseal && flip block.fwseal $((size / 2))
cp p.fwseal suffix.fwseal && flip suffix.fwseal $((size - 1))
cp p.fwseal trailing.fwseal && printf 'x' >>trailing.fwseal
# flash needs no device to refuse a package: it checks the package first
NODEV=serial:/dev/nonexistent-port

# --- the command line ------------------------------------------------------
scenario no-command "$FWSEAL"
scenario no-command "$FWSEAL" -v
scenario unknown-command "$FWSEAL" flsh && has err.txt "^Did you mean 'flash'\?$"
scenario unknown-command "$FWSEAL" help verfy && has err.txt "^Did you mean 'verify'\?$"
scenario unknown-command "$FWSEAL" frobnicate && hasnt err.txt "Did you mean"
scenario unknown-option "$FWSEAL" flash p.fwseal --trsut t1.fwst && has err.txt "^Did you mean '--trust'\?$"
scenario unknown-option "$FWSEAL" verify p.fwseal --modle X && has err.txt "^Did you mean '--model'\?$"
scenario unknown-option "$FWSEAL" inspect p.fwseal --colour && hasnt err.txt "Did you mean"
scenario option-needs-value "$FWSEAL" verify p.fwseal --trust
scenario option-needs-value "$FWSEAL" flash p.fwseal --device
scenario usage "$FWSEAL" verify --trust t1.fwst
scenario usage "$FWSEAL" key frob && has err.txt "not a key subcommand"
scenario usage "$FWSEAL" completion tcsh
if [ ! -e /etc/fwseal/trust.fwst ]; then
	scenario no-trust-store "$FWSEAL" verify p.fwseal
	scenario no-trust-store "$FWSEAL" flash p.fwseal --device "$NODEV" --yes
	scenario no-trust-store "$FWSEAL" flash p.fwseal --device "$NODEV" --yes --json &&
		has out.txt '"event":"error".*"code":"no-trust-store".*"exit":2'
fi

# --- release descriptions (pack) -------------------------------------------
printf 'vendor_id = 1\nclass_id = 1\nmodel = m\nversion = 1\nsecurity_counter = 1\nrelease_date = 2025-02-30\nsupport_end = 2026-01-01\n' >bad-date.ini
scenario release-description "$FWSEAL" pack --image img.bin --release bad-date.ini --key k1.key --out o.fwseal &&
	has err.txt '^fwseal: bad-date.ini:6: release_date'
scenario release-version "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out o.fwseal --set version=1.x.banana &&
	has err.txt "^fwseal: --set: version '1.x.banana'"
sed 's/^version *=.*/version = 1.x.banana/' "$REL" >banana.ini
scenario release-version "$FWSEAL" pack --image img.bin --release banana.ini --key k1.key --out o.fwseal &&
	has err.txt "^fwseal: banana.ini:[0-9]+: version '1.x.banana'"
grep -v '^risks' "$REL" | grep -v '^ ' >norisk.ini
scenario release-risks "$FWSEAL" pack --image img.bin --release norisk.ini --key k1.key --out o.fwseal
grep -v '^version' "$REL" >noversion.ini
scenario release-missing-field "$FWSEAL" pack --image img.bin --release noversion.ini --key k1.key --out o.fwseal &&
	hasnt err.txt 'end of file' && has err.txt "^fwseal: noversion.ini: required field 'version'"
checks=$((checks + 1))
[ -e o.fwseal ] && fail "a refused pack left o.fwseal"

# --- trust stores: one wording and exit 5 in every command -------------------
for cmd in "verify p.fwseal" "inspect p.fwseal" "flash p.fwseal --device $NODEV --yes"; do
	# shellcheck disable=SC2086
	scenario trust-store-unreadable "$FWSEAL" $cmd --trust missing.fwst
	# shellcheck disable=SC2086
	scenario bad-trust-store "$FWSEAL" $cmd --trust garbage.fwst
done
scenario bad-trust-store env FWSEAL_TRUST=garbage.fwst "$FWSEAL" verify p.fwseal
scenario bad-trust-store "$FWSEAL" flash p.fwseal --device "$NODEV" --yes --trust garbage.fwst --json &&
	has out.txt '"event":"error".*"code":"bad-trust-store".*"exit":5'
scenario bad-trust-store timeout 20 "$FWSEAL" watch p.fwseal --trust garbage.fwst --no-usb --ports "$T/none*" --no-records
scenario bad-trust-store "$FWSEAL" flash p.fwseal --device "$NODEV" --device serial:/dev/other --yes --trust garbage.fwst --no-records

# --- production records: what is wrong with the file, no SQLite jargon -------
head -c 5000 /dev/urandom >junk.db
scenario records-unusable "$FWSEAL" records --records junk.db &&
	has err.txt 'is not a production records database' && hasnt err.txt 'write-ahead|SQLite|sqlite|refused to|database disk image'
scenario records-unusable "$FWSEAL" records --records /proc/version && hasnt err.txt 'sqlite'

# --- packages: one wording and exit 3 in verify, inspect and flash ----------
for cmd in verify inspect flash; do
	args=(--trust t1.fwst)
	[ "$cmd" = flash ] && args+=(--device "$NODEV" --yes)
	scenario package-unreadable "$FWSEAL" $cmd missing.fwseal "${args[@]}"
	# a raw image or a random file is not a package (flash said "DFU suffix")
	scenario not-a-package "$FWSEAL" $cmd img.bin "${args[@]}"
	scenario not-a-package "$FWSEAL" $cmd garbage.fwst "${args[@]}"
	scenario truncated "$FWSEAL" $cmd trunc.fwseal "${args[@]}"
	scenario bad-dfu-suffix "$FWSEAL" $cmd suffix.fwseal "${args[@]}"
	scenario block-digest "$FWSEAL" $cmd block.fwseal "${args[@]}"
	scenario trailing-data "$FWSEAL" $cmd trailing.fwseal "${args[@]}"
	args[1]=t2.fwst
	# names the signer's key and the trusted ones, and no device
	scenario untrusted-key "$FWSEAL" $cmd p.fwseal "${args[@]}" &&
		has err.txt "^  signed by key $K1\$" && has err.txt "^  the trust store t2.fwst holds $K2\$" &&
		hasnt err.txt 'this device'
	args[1]=trev.fwst
	scenario revoked-key "$FWSEAL" $cmd p.fwseal "${args[@]}" &&
		has err.txt "^  the trust store trev.fwst holds $K1 \(revoked\)\$"
done
scenario not-a-package "$FWSEAL" verify img.bin --trust t1.fwst --json && has out.txt '"error": "not-a-package"'
scenario not-a-package "$FWSEAL" flash img.bin --trust t1.fwst --device "$NODEV" --yes --json &&
	has out.txt '"event":"error".*"code":"not-a-package".*"exit":3'

# --- policy: verify says it as flash does -------------------------------------
scenario wrong-model "$FWSEAL" verify p.fwseal --trust t1.fwst --model OTHER-1 &&
	has err.txt 'The package is for model ACME-THERMO-2, not OTHER-1\.'
scenario wrong-hw-revision "$FWSEAL" verify p.fwseal --trust t1.fwst --hw-rev 9 &&
	has err.txt 'supports hardware revisions 1 to 3, not 9\.'
scenario downgrade "$FWSEAL" verify p.fwseal --trust t1.fwst --min-counter 8 &&
	has err.txt 'Version 1\.4\.2 \(security counter 7\) is older than the required security counter 8\.'

# --- -v: the log names the cause ---------------------------------------------
expect 5 "$FWSEAL" -v verify p.fwseal --trust garbage.fwst && has err.txt '^fwseal\[\+[0-9.]+\] cli: error bad-trust-store, exit 5$'
expect 5 "$FWSEAL" verify p.fwseal --trust garbage.fwst --verbose && has err.txt 'cli: error bad-trust-store, exit 5$'
expect 5 env FWSEAL_DEBUG=1 "$FWSEAL" verify p.fwseal --trust garbage.fwst && has err.txt 'cli: error bad-trust-store, exit 5$'
expect 5 env FWSEAL_DEBUG=0 "$FWSEAL" verify p.fwseal --trust garbage.fwst && hasnt err.txt 'cli: error'
expect 5 "$FWSEAL" verify p.fwseal --trust garbage.fwst && hasnt err.txt '^fwseal\['

scenarios_summary
expect_summary
