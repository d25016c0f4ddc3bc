# SPDX-License-Identifier: Apache-2.0
# tests/support/messages.sh - the rows of docs/messages.md for the CLI test
# scripts (sourced after expect.sh, with DOC set to docs/messages.md).
#
#   scenario ID CMD...   run CMD (stdout in out.txt, stderr in err.txt) and
#                        check: it exits with row ID's code, prints exactly
#                        one line "fwseal: ...", and that line says row ID's
#                        message (a <name> stands for any text).
#   scenarios_summary    how many rows were met.

# row_field ID N: field N (2 id, 3 exit, 4 message) of row ID
row_field() {
	awk -F'|' -v id="$1" -v n="$2" '
		/^\| `/ { k = $2; gsub(/[ `]/, "", k); if (k == id) { v = $n; sub(/^ *`?/, "", v); sub(/`? *$/, "", v); print v; exit } }' "$DOC"
}

# The message of row ID as an extended regex: literal text, <...> as .+
row_regex() {
	row_field "$1" 4 | sed -e 's/[]\/$*.^|[(){}+?]/\\&/g' -e 's/<[^>]*>/.+/g'
}

met_ids=" "
scenario() {
	local id=$1
	shift
	local want re n
	want=$(row_field "$id" 3 | tr -d ' ')
	re=$(row_regex "$id")
	if [ -z "$want" ] || [ -z "$re" ]; then
		checks=$((checks + 1))
		fail "docs/messages.md has no row '$id'"
		return 1
	fi
	expect "$want" "$@" || return 1
	checks=$((checks + 1))
	n=$(grep -c '^fwseal: ' err.txt)
	if [ "$n" != 1 ]; then
		fail "'$*' ($id): $n 'fwseal:' lines, not one"
		sed 's/^/    /' err.txt | head -8
		return 1
	fi
	checks=$((checks + 1))
	if ! grep '^fwseal: ' err.txt | grep -qE -- "$re"; then
		fail "'$*' ($id) does not say the documented message"
		echo "    got:  $(grep '^fwseal: ' err.txt)"
		echo "    want: $(row_field "$id" 4)"
		return 1
	fi
	case $met_ids in *" $id "*) ;; *) met_ids="$met_ids$id " ;; esac
	return 0
}

scenarios_summary() {
	echo "documented causes met: $(echo $met_ids | wc -w)"
}
