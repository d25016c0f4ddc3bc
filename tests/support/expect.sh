# SPDX-License-Identifier: Apache-2.0
# tests/support/expect.sh - what the CLI contract scripts share (sourced by
# tests/cli/test_cli.sh and test_pkcs11.sh, run in their temporary folder):
# counting checks and failures, and `expect` for an exit code plus the
# one-sentence error form "fwseal: <sentence>" of every failure.
fails=0
checks=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect RC CMD...: run, keep stdout in out.txt and stderr in err.txt
expect() {
	local want=$1; shift
	checks=$((checks + 1))
	"$@" >out.txt 2>err.txt
	local rc=$?
	if [ "$rc" != "$want" ]; then
		fail "'$*' exited $rc, expected $want"
		{ sed 's/^/    stderr: /' err.txt; sed 's/^/    stdout: /' out.txt; } | head -8
		return 1
	fi
	if [ "$want" != 0 ] && ! grep -q '^fwseal: ' err.txt; then
		fail "'$*': error is not 'fwseal: <sentence>': $(head -1 err.txt)"
	fi
	return 0
}

# has FILE PATTERN / hasnt FILE PATTERN: an extended regex is (not) in FILE
has() {
	checks=$((checks + 1))
	grep -qE -- "$2" "$1" || { fail "$1 lacks /$2/"; sed 's/^/    /' "$1" | head -20; return 1; }
}
hasnt() {
	checks=$((checks + 1))
	! grep -qE -- "$2" "$1" || { fail "$1 has /$2/"; sed 's/^/    /' "$1" | head -20; return 1; }
}

# flip FILE OFFSET: invert one byte in place
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# The last line of a script: the tally, and its exit status.
expect_summary() {
	echo "$((checks - fails)) passed, $fails failed"
	[ "$fails" = 0 ]
}
