#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Shell completion (issue 15): the scripts `fwseal completion bash|zsh|fish`
# writes from the command table are loaded into the real shells and asked
# what they complete: commands, subcommands, every option of every command
# (`fwseal completion words` lists them from the same table), option values
# (choices, files) and operands. bash and fish complete for real; zsh's
# completion system needs a terminal, so its script is checked for syntax and
# its per-command functions are run with _arguments recording its specs.
# Usage: test_completion.sh FWSEAL
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
FWSEAL=$(realpath "$1")
T=$(mktemp -d /tmp/fwseal-comp-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"

expect 0 "$FWSEAL" completion bash && cp out.txt fwseal.bash
expect 0 "$FWSEAL" completion zsh && cp out.txt _fwseal
expect 0 "$FWSEAL" completion fish && cp out.txt fwseal.fish
expect 0 "$FWSEAL" completion words && cp out.txt words.txt
expect 2 "$FWSEAL" completion tcsh
checks=$((checks + 1))
[ "$(grep -c ' --' words.txt)" -gt 40 ] || fail "completion words lists too few options"
: >pkg.fwseal
: >trust.fwst

# --- bash ----------------------------------------------------------------------
# bcomp WORD...: what bash completes for the last word
bcomp() {
	bash -c '
		source ./fwseal.bash
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_fwseal
		printf "%s\n" "${COMPREPLY[@]}"' bcomp "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
bwant() { # bwant "EXPECTED" WORD...
	local want=$1 got
	shift
	got=$(bcomp "$@")
	checks=$((checks + 1))
	[ "$got" = "$want" ] || fail "bash: '$*' completes to '$got', not '$want'"
}
bhas() { # bhas ITEM WORD...: ITEM is among the completions
	local item=$1 got
	shift
	got=" $(bcomp "$@") "
	checks=$((checks + 1))
	case $got in *" $item "*) ;; *) fail "bash: '$*' does not offer '$item' (got:$got)" ;; esac
}
bash -n fwseal.bash || fail "bash: syntax error"
bwant flash fwseal fl
bwant "flash" fwseal -v fl
bwant "info inspect" fwseal in
bwant "--trust --trust-update" fwseal flash --tr
bwant "--trust-update" fwseal flash --trust-
bwant "none rtscts" fwseal flash pkg.fwseal --flow ''
bwant "generate" fwseal key gen
bwant "export-trust generate import-trust" fwseal key ''
bwant "--out" fwseal key generate --o
bwant "--revoke" fwseal key export-trust --rev
bwant "--trust" fwseal key import-trust --t
bwant "bash fish zsh" fwseal completion ''
bwant "pkg.fwseal" fwseal flash pk
bwant "pkg.fwseal" fwseal flash --trust trust.fwst pk
bwant "trust.fwst" fwseal verify pkg.fwseal --trust tr
bwant "usb" fwseal flash pkg.fwseal --device us
bwant "verify" fwseal help ver
bhas --json fwseal info --
bhas --verbose fwseal list --
bhas --help fwseal records --
# every option of every command, from the parser's own table
while read -r cmd1 cmd2 rest; do
	case $cmd2 in
	--*) bhas "$cmd2" fwseal "$cmd1" "${cmd2:0:3}" ;;
	'') ;;
	*) opt=${rest%% *}
	   [ -n "$opt" ] && bhas "$opt" fwseal "$cmd1" "$cmd2" "${opt:0:3}" ;;
	esac
done <words.txt

# --- fish ----------------------------------------------------------------------
if command -v fish >/dev/null; then
	fcomp() { fish --no-config -c "source ./fwseal.fish; complete -C '$*'" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'; }
	fwant() {
		local want=$1 got
		shift
		got=$(fcomp "$@")
		checks=$((checks + 1))
		[ "$got" = "$want" ] || fail "fish: '$*' completes to '$got', not '$want'"
	}
	fhas() {
		local item=$1 got
		shift
		got=" $(fcomp "$@") "
		checks=$((checks + 1))
		case $got in *" $item "*) ;; *) fail "fish: '$*' does not offer '$item' (got:$got)" ;; esac
	}
	fish -n fwseal.fish || fail "fish: syntax error"
	fwant flash "fwseal fl"
	fwant "--trust --trust-update" "fwseal flash --tr"
	fwant "none rtscts" "fwseal flash pkg.fwseal --flow "
	fwant "export-trust generate import-trust" "fwseal key "
	fwant "--out" "fwseal key generate --o"
	fwant "bash fish zsh" "fwseal completion "
	fhas pkg.fwseal "fwseal flash "
	fhas usb "fwseal info "
	while read -r cmd1 cmd2 rest; do
		case $cmd2 in
		--*) fhas "$cmd2" "fwseal $cmd1 ${cmd2:0:3}" ;;
		'') ;;
		*) opt=${rest%% *}
		   [ -n "$opt" ] && fhas "$opt" "fwseal $cmd1 $cmd2 ${opt:0:3}" ;;
		esac
	done <words.txt
else
	echo "(fish missing: its completion is not tried)"
fi

# --- zsh -----------------------------------------------------------------------
if command -v zsh >/dev/null; then
	zsh -n _fwseal || fail "zsh: syntax error"
	# zspecs WORDS...: the _arguments specs and _describe calls for these words
	zspecs() {
		zsh -f -c '
			log=()
			_arguments() {
				if [[ $1 == -C ]]; then
					if (( CURRENT == 2 )); then state=cmd
					else state=args; words=(${words[2,-1]}); (( CURRENT-- )); fi
				fi
				log+=("$@")
			}
			_describe() { log+=("describe ${(P)${@[-1]}}") }
			compadd() { log+=("compadd $*") }
			compdef() { }
			source ./_fwseal
			words=("$@"); CURRENT=$#
			_fwseal
			print -l -- $log' zspecs "$@"
	}
	zhas() { # zhas PATTERN WORDS...
		local pat=$1
		shift
		checks=$((checks + 1))
		zspecs "$@" | grep -qF -- "$pat" || { fail "zsh: '$*' has no '$pat'"; zspecs "$@" | sed 's/^/    /' | head -8; }
	}
	zhas 'flash:install a firmware package on a device' fwseal ''
	zhas "*--trust=:trust:_files" fwseal flash ''
	zhas "*--flow=:flow:(none rtscts)" fwseal flash ''
	zhas "*--device=:device:_fwseal_devices" fwseal flash ''
	zhas "*:operand:_files" fwseal flash ''
	zhas "generate:make an ECDSA P-256 signing key pair" fwseal key ''
	zhas "*--out=:out:_files" fwseal key generate ''
	zhas "*--revoke=:revoke:_files" fwseal key export-trust ''
	zhas "*:operand:(bash zsh fish)" fwseal completion ''
	while read -r cmd1 cmd2 rest; do
		case $cmd2 in
		--json) zhas "--json[" fwseal "$cmd1" '' ;;
		--*) zhas "*$cmd2" fwseal "$cmd1" '' ;;
		'') ;;
		*) opt=${rest%% *}
		   case $opt in --json) zhas "--json[" fwseal "$cmd1" "$cmd2" '' ;;
		   --*) zhas "*$opt" fwseal "$cmd1" "$cmd2" '' ;; esac ;;
		esac
	done <words.txt
else
	echo "(zsh missing: its completion is not tried)"
fi
expect_summary
