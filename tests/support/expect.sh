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

# The last line of a script: the tally, and its exit status.
expect_summary() {
	echo "$((checks - fails)) passed, $fails failed"
	[ "$fails" = 0 ]
}
