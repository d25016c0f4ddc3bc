#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# lang_de.sh FWSEAL_GUI FWSEAL LOCALEDIR RELEASE_INI - the installed kind of
# start: the desktop app's and the CLI's own main() bind the catalogue (here
# the build's, through FWSEAL_LOCALEDIR) and speak German under
# LANG=de_DE.UTF-8, English under LANG=C; exit codes and --json do not
# change with the language. The host library's sentences (fwh_error: a port
# that does not exist, a policy refusal) are German on standard error and
# English in --json (fwseal-host/error.h). --help needs no display. The locale is
# compiled into a temporary folder (localedef, Debian package 'locales'),
# so no root is needed.
set -u
GUI=$1
CLI=$2
LOCALEDIR=$3
REL=$4
command -v localedef >/dev/null 2>&1 || { echo "localedef missing: skipped"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-lang.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
localedef -i de_DE -f UTF-8 "$T/de_DE.UTF-8" >/dev/null 2>&1 ||
	{ echo "cannot make de_DE.UTF-8 (package 'locales'): skipped"; exit 77; }
fail() { echo "FAIL: $*" >&2; cat "$T/out" >&2; exit 1; }
# glibc keeps the $LOCPATH list for good; LSan (ASan builds) would say so
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/../support" && pwd)/lsan-locpath.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

env -u LANGUAGE -u LC_ALL LANG=de_DE.UTF-8 LOCPATH="$T" FWSEAL_LOCALEDIR="$LOCALEDIR" \
	"$GUI" --help >"$T/out" 2>&1 || fail "fwseal-gui --help failed under de_DE.UTF-8"
grep -q "ORDNER auf Aktualisierungspakete beobachten" "$T/out" ||
	fail "fwseal-gui --help is not German under LANG=de_DE.UTF-8"
grep -q "Version anzeigen und beenden" "$T/out" || fail "--version's help is not German"

env -u LANGUAGE -u LC_ALL LANG=C FWSEAL_LOCALEDIR="$LOCALEDIR" "$GUI" --help >"$T/out" 2>&1 ||
	fail "fwseal-gui --help failed under LANG=C"
grep -q "Watch FOLDER for update packages" "$T/out" || fail "not English under LANG=C"

de() { env -u LANGUAGE -u LC_ALL LANG=de_DE.UTF-8 LOCPATH="$T" FWSEAL_LOCALEDIR="$LOCALEDIR" "$@"; }
de "$CLI" --help >"$T/out" 2>&1 || fail "fwseal --help failed under de_DE.UTF-8"
grep -q "Signierte Firmware-Aktualisierungen für Geräte ohne Netzwerk." "$T/out" ||
	fail "fwseal --help is not German"
grep -q "ein Firmware-Paket auf einem Gerät installieren" "$T/out" ||
	fail "the command summaries are not German"
de "$CLI" flash --help >"$T/out" 2>&1 || fail "fwseal flash --help failed"
grep -q "Installiert das Firmware-Paket PAKET auf einem Gerät." "$T/out" ||
	fail "fwseal flash --help is not German"
de "$CLI" flash >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "fwseal flash without a package exited $rc under German (expected 2)"
grep -q "^fwseal: flash braucht die zu installierende Paketdatei." "$T/out" ||
	fail "the usage error is not German"
de "$CLI" verify /nonexistent.fwseal --trust /nonexistent.fwst >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 5 ] || fail "fwseal verify on a missing trust store exited $rc under German (expected 5)"
grep -q "^fwseal: Die Schlüsselliste /nonexistent.fwst kann nicht gelesen werden" "$T/out" ||
	fail "the catalogue message is not German"
de env FWSEAL_SERIAL_PORTS=/dev/fwseal-no-such-port "$CLI" list --json >"$T/out" 2>&1 ||
	fail "fwseal list --json failed under German"
grep -q '"devices": \[\]' "$T/out" && grep -q '"count": 0' "$T/out" ||
	fail "--json changed with the language"

# the host library's sentences
de "$CLI" info serial:/dev/fwseal-no-such-port >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 6 ] || fail "fwseal info on a missing port exited $rc under German (expected 6)"
grep -q "^fwseal: /dev/fwseal-no-such-port gibt es nicht; prüfen Sie, ob das Gerät angeschlossen" \
	"$T/out" || fail "the host library's sentence (serial port missing) is not German"
"$CLI" key generate --out "$T/k" >/dev/null 2>&1 &&
	"$CLI" key export-trust --out "$T/t.fwst" "$T/k.pub" >/dev/null 2>&1 &&
	head -c 3000 /dev/urandom >"$T/img.bin" &&
	"$CLI" pack --image "$T/img.bin" --release "$REL" --key "$T/k.key" --out "$T/p.fwseal" \
		>/dev/null 2>&1 || fail "could not make a package"
de "$CLI" verify "$T/p.fwseal" --trust "$T/t.fwst" --model OTHER --json >"$T/json" 2>"$T/out"
rc=$?
[ "$rc" -eq 4 ] || fail "verify --model OTHER exited $rc under German (expected 4)"
# what is wrong (the library) and the cause (the protocol), both German
grep -q "Das Paket ist für das Modell .*, nicht OTHER\. Das Paket ist für ein anderes Gerätemodell" \
	"$T/out" || fail "the policy refusal is not German on standard error"
grep -q '"message": "The package is for model .*, not OTHER\. The package is for a different device model' \
	"$T/json" || { cat "$T/json" >&2; fail "--json's message is not the English sentence"; }
# a catalogue message in a --json error event (cli_report): English there
de env FWSEAL_SERIAL_PORTS=/dev/fwseal-no-such-port "$CLI" flash "$T/p.fwseal" \
	--trust "$T/t.fwst" --yes --json >"$T/json" 2>"$T/out"
rc=$?
[ "$rc" -eq 6 ] || fail "flash --json with no device exited $rc under German (expected 6)"
grep -q "^fwseal: Es wurde kein fwseal-Gerät gefunden" "$T/out" ||
	fail "flash without a device does not say so in German"
grep -q '"code":"no-device","message":"No fwseal device was found' "$T/json" ||
	{ cat "$T/json" >&2; fail "the error event's message is not English"; }
# a count gets its plural form (a 3000-byte image is one block)
de "$CLI" inspect "$T/p.fwseal" >"$T/out" 2>&1 || fail "inspect failed under German"
grep -q "^Nutzdaten: *3000 Bytes in 1 Block zu " "$T/out" || fail "one block is not 'Block'"
de "$CLI" verify "$T/p.fwseal" --trust "$T/t.fwst" >"$T/out" 2>&1 || fail "verify failed under German"
grep -q "und unversehrt (1 Block, Abbild-Hash" "$T/out" || fail "verify's block count is not singular"
"$CLI" inspect "$T/p.fwseal" >"$T/out" 2>&1 && grep -q "bytes in 1 block of " "$T/out" ||
	fail "English says '1 blocks'"
# the factory lines: translated words, and the sentence's umlauts intact
de "$CLI" flash "$T/p.fwseal" --device serial:/dev/fwseal-no-such-port \
	--device serial:/dev/fwseal-no-such-port-2 --trust "$T/t.fwst" --yes --no-records \
	>"$T/out" 2>&1
rc=$?
[ "$rc" -eq 6 ] || fail "flash of two missing devices exited $rc under German (expected 6)"
grep -q "^2 Geräte: 0 in Ordnung, 0 abgelehnt, 2 fehlgeschlagen, 0 unterbrochen (Exit-Code 6)" \
	"$T/out" || fail "the factory summary is not German"
grep -q "fehlgeschlagen: serial:/dev/fwseal-no-such-port ist nicht erreichbar: .* prüfen Sie, ob das Gerät" \
	"$T/out" || fail "a unit's failure is not German, or its umlauts were lost"

env -u LANGUAGE -u LC_ALL LANG=C FWSEAL_LOCALEDIR="$LOCALEDIR" "$CLI" flash >"$T/out" 2>&1
grep -q "^fwseal: flash needs the package file to install." "$T/out" ||
	fail "fwseal is not English under LANG=C"
echo "ok"
