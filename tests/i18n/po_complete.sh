#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# po_complete.sh SRCROOT PODIR [SCANDIR...] -- XGETTEXT_ARGS...
# Every translatable message of the app and the CLI is translated into
# every language in PODIR/LINGUAS (issue 15: "a complete de.po").
#
#   1. every file under SCANDIR that marks strings for translation (_(),
#      N_(), g_dngettext, cli_error, the host library's fwh_error_set and
#      fwh_error_prefix, translatable="yes", gschema summaries)
#      is listed in POTFILES.in, so no message escapes extraction;
#   2. a template is extracted from the sources now (not the committed
#      fwseal.pot, which can be stale) with the build's own xgettext
#      arguments; each LL.po merged with it has no untranslated and no
#      fuzzy message, and msgfmt --check accepts it (format strings match).
# Untranslated messages are printed, so the failure says what to translate.
set -u
SRC=$1
PO=$2
shift 2
SCAN=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do SCAN="$SCAN $1"; shift; done
[ "${1:-}" = "--" ] && shift
for tool in xgettext msgmerge msgfmt msgattrib; do
	command -v "$tool" >/dev/null 2>&1 || { echo "$tool (gettext) missing: skipped"; exit 77; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-po.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fail=0

sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PO/POTFILES.in" >"$T/files"
for d in $SCAN; do
	( cd "$SRC" && grep -l -E '(^|[^A-Za-z0-9_])(N?_|P_|g_dngettext|cli_error|cli_usage|fwh_error_set|fwh_error_prefix|rel_fail)\(|translatable="yes"|<summary>' \
		-r "$d" --include='*.c' --include='*.h' --include='*.ui' --include='*.xml' \
		--include='*.in' ) | while read -r f; do
		# the wrappers' own definitions
		case $f in *_i18n.h|*fwg-i18n.h|host-tool/lib/i18n.h|host-tool/lib/error.c|*/fwseal-host/error.h) continue ;; esac
		grep -qxF "$f" "$T/files" || echo "$f"
	done >>"$T/unlisted"
done
if [ -s "$T/unlisted" ]; then
	echo "FAIL: files with translatable strings missing from po/POTFILES.in:" >&2
	sed 's/^/  /' "$T/unlisted" >&2
	fail=1
fi

xgettext --directory="$SRC" --files-from="$T/files" --output="$T/fresh.pot" "$@" ||
	{ echo "FAIL: xgettext could not extract the messages" >&2; exit 1; }
total=$(grep -c '^msgid ' "$T/fresh.pot")
langs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PO/LINGUAS")
[ -n "$langs" ] || { echo "FAIL: po/LINGUAS names no language" >&2; exit 1; }
for ll in $langs; do
	[ -f "$PO/$ll.po" ] || { echo "FAIL: po/LINGUAS names $ll, but po/$ll.po is missing" >&2; fail=1; continue; }
	msgfmt --check -o /dev/null "$PO/$ll.po" 2>"$T/check" ||
		{ echo "FAIL: msgfmt --check rejects po/$ll.po:" >&2; cat "$T/check" >&2; fail=1; }
	msgmerge --quiet --no-fuzzy-matching --output-file="$T/$ll.po" "$PO/$ll.po" "$T/fresh.pot"
	msgattrib --untranslated --no-obsolete "$T/$ll.po" >"$T/$ll.untranslated"
	msgattrib --only-fuzzy --no-obsolete "$T/$ll.po" >"$T/$ll.fuzzy"
	stats=$(msgfmt --statistics -o /dev/null "$T/$ll.po" 2>&1)
	echo "$ll: $stats (of $((total - 1)) messages in the sources)"
	if grep -q '^msgid "[^"]' "$T/$ll.untranslated" "$T/$ll.fuzzy" ||
		echo "$stats" | grep -q 'untranslated\|fuzzy'; then
		echo "FAIL: po/$ll.po is not complete; untranslated or fuzzy:" >&2
		grep -h -A1 '^msgid ' "$T/$ll.untranslated" "$T/$ll.fuzzy" | grep -v '^msgid ""$' >&2
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "ok"
exit "$fail"
