#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The man pages (issue 15): fwseal(1), fwseal-gui(1) and fwseal-sim(1)
# render without a warning, have NAME, SYNOPSIS, DESCRIPTION, ENVIRONMENT,
# FILES and EXIT STATUS, and name every command and option the programs
# have: fwseal's from its own command table (`fwseal completion words`),
# the others' from their --help.
# Usage: test_man.sh DOCS_DIR FWSEAL FWSEAL_SIM [FWSEAL_GUI]
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
DOCS=$(realpath "$1")
FWSEAL=$(realpath "$2")
SIM=$(realpath "$3")
GUI=${4:-}
T=$(mktemp -d /tmp/fwseal-man-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"

# mentions PAGE OPTION: the page names the option (roff escapes its dashes)
mentions() {
	local esc
	esc=$(printf '%s' "$2" | sed 's/-/\\\\-/g')
	checks=$((checks + 1))
	grep -qE -- "(^|[^a-z-])${esc}([^a-z-]|\$)" "$1" || fail "$(basename "$1") does not mention $2"
}

pages=(fwseal.1 fwseal-sim.1 fwseal-gui.1)
for p in "${pages[@]}"; do
	page=$DOCS/$p
	for sec in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" "SEE ALSO"; do
		checks=$((checks + 1))
		grep -q "^\.SH \"\?$sec\"\?\$" "$page" || fail "$p has no $sec section"
	done
	if command -v groff >/dev/null; then
		checks=$((checks + 1))
		groff -man -ww -z "$page" >warn.txt 2>&1
		[ -s warn.txt ] && { fail "$p: groff warns"; sed 's/^/    /' warn.txt | head -5; }
	fi
done

# fwseal(1): every command, subcommand and option of the table
"$FWSEAL" completion words >words.txt || fail "fwseal completion words"
while read -r a b c; do
	case $b in
	'') mentions "$DOCS/fwseal.1" "$a" ;;
	--*) mentions "$DOCS/fwseal.1" "$b" ;;
	*) if [ -z "$c" ]; then mentions "$DOCS/fwseal.1" "$b"; else mentions "$DOCS/fwseal.1" "${c%% *}"; fi ;;
	esac
done <words.txt
for o in -v --verbose --version --help FWSEAL_TRUST FWSEAL_SERIAL_PORTS FWSEAL_DEBUG; do
	mentions "$DOCS/fwseal.1" "$o"
done

# fwseal-sim(1): every option of its --help
"$SIM" --help >sim-help.txt 2>&1
grep -oE -- '--[a-z][a-z0-9-]+' sim-help.txt | sort -u >sim-opts.txt
checks=$((checks + 1))
[ "$(wc -l <sim-opts.txt)" -gt 15 ] || fail "fwseal-sim --help lists few options"
while read -r o; do mentions "$DOCS/fwseal-sim.1" "$o"; done <sim-opts.txt
mentions "$DOCS/fwseal-sim.1" libexec

# fwseal-gui(1): every option of its --help (when the app is built)
if [ -n "$GUI" ]; then
	"$GUI" --help >gui-help.txt 2>&1
	grep -oE -- '--[a-z][a-z0-9-]+' gui-help.txt | sort -u >gui-opts.txt
	checks=$((checks + 1))
	[ "$(wc -l <gui-opts.txt)" -ge 4 ] || fail "fwseal-gui --help lists few options"
	while read -r o; do mentions "$DOCS/fwseal-gui.1" "$o"; done <gui-opts.txt
fi
expect_summary
