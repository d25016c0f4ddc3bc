#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# lang_de.sh FWSEAL_GUI LOCALEDIR - the installed kind of start: the
# desktop app's own main() binds its catalogue (here the build's, through
# FWSEAL_LOCALEDIR) and speaks German under LANG=de_DE.UTF-8, English under
# LANG=C. --help needs no display. The locale is compiled into a temporary
# folder (localedef, Debian package 'locales'), so no root is needed.
set -u
GUI=$1
LOCALEDIR=$2
command -v localedef >/dev/null 2>&1 || { echo "localedef missing: skipped"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-lang.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
localedef -i de_DE -f UTF-8 "$T/de_DE.UTF-8" >/dev/null 2>&1 ||
	{ echo "cannot make de_DE.UTF-8 (package 'locales'): skipped"; exit 77; }
fail() { echo "FAIL: $*" >&2; cat "$T/out" >&2; exit 1; }

env -u LANGUAGE -u LC_ALL LANG=de_DE.UTF-8 LOCPATH="$T" FWSEAL_LOCALEDIR="$LOCALEDIR" \
	"$GUI" --help >"$T/out" 2>&1 || fail "fwseal-gui --help failed under de_DE.UTF-8"
grep -q "ORDNER auf Aktualisierungspakete beobachten" "$T/out" ||
	fail "fwseal-gui --help is not German under LANG=de_DE.UTF-8"
grep -q "Version anzeigen und beenden" "$T/out" || fail "--version's help is not German"

env -u LANGUAGE -u LC_ALL LANG=C FWSEAL_LOCALEDIR="$LOCALEDIR" "$GUI" --help >"$T/out" 2>&1 ||
	fail "fwseal-gui --help failed under LANG=C"
grep -q "Watch FOLDER for update packages" "$T/out" || fail "not English under LANG=C"
echo "ok"
