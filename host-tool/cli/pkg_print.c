/* SPDX-License-Identifier: Apache-2.0 */
/* pkg_print.c - see pkg_print.h. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cli_msg.h"
#include "fwseal/encoding.h"
#include "fwseal-host/log.h"
#include "fwseal-host/package.h"
#include "fwseal/pkg.h"
#include "fwseal/trust.h"
#include "pkg_print.h"

static const char *yes_no(bool b)
{
	return b ? _("yes") : _("no");
}

const char *pkg_severity_words(uint8_t severity)
{
	switch (severity) {
	/* Translators: the severity of what a security update fixes */
	case FWS_SEVERITY_NONE: return _("none");
	case FWS_SEVERITY_LOW: return _("low");
	case FWS_SEVERITY_MEDIUM: return _("medium");
	case FWS_SEVERITY_HIGH: return _("high");
	case FWS_SEVERITY_CRITICAL: return _("critical");
	default: return _("unknown");
	}
}

/* Text from the package escaped for a terminal (cli_text): inspect shows
 * packages whose signature was not checked, so nothing in them is trusted
 * to be free of escape sequences. One buffer per call site in a line. */
#define ESC_MAX (4u * FWS_NOTES_MAX + 1u)
static const char *esc(char *buf, const char *s, size_t n, bool multiline)
{
	return cli_text_str(s, n, multiline, buf, ESC_MAX);
}

void pkg_print_text(FILE *f, const fwh_pkg_check *c)
{
	const fws_manifest *m = &c->manifest;
	char date[32], hex[2 * FWS_SHA256_LEN + 1];
	static char e[ESC_MAX];
	if (m->kind == FWS_KIND_TRUST)
		fprintf(f, _("Kind:               security key update to trust version %" PRIu32
		             " (docs/trust.md)\n"), m->security_counter);
	fprintf(f, _("Model:              %s\n"), esc(e, m->model, strlen(m->model), false));
	fprintf(f, _("Vendor / class id:  0x%04x / 0x%04x\n"), m->vendor_id, m->class_id);
	fprintf(f, _("Hardware revisions: %u to %u\n"), m->hw_rev_min, m->hw_rev_max);
	fprintf(f, _("Component:          %s\n"), esc(e, m->component, strlen(m->component), false));
	fprintf(f, _("Version:            %s\n"), esc(e, m->version, strlen(m->version), false));
	fprintf(f, _("Security counter:   %" PRIu32 "\n"), m->security_counter);
	fprintf(f, _("Security update:    %s, severity %s\n"), yes_no(m->security_update),
	        pkg_severity_words(m->severity));
	if (m->risks.len) {
		esc(e, fwh_pkg_check_span(c, m->risks), m->risks.len, true);
		fprintf(f, _("Risks mitigated:    %.*s\n"), (int)strlen(e), e);
	}
	if (m->cve_count) {
		fputs(_("CVEs:               "), f);
		for (unsigned i = 0; i < m->cve_count; i++)
			fprintf(f, "%s%s", i ? ", " : "",
			        esc(e, fwh_pkg_check_span(c, m->cves[i]), m->cves[i].len, false));
		fputc('\n', f);
	}
	fprintf(f, _("Disruption:         %s, expected downtime %" PRIu32 " s\n"),
	        m->reboot ? _("device reboots") : _("no reboot"), m->downtime_s);
	cli_format_date(m->release_date, date, sizeof(date));
	fprintf(f, _("Release date:       %s\n"), date);
	cli_format_date(m->support_end, date, sizeof(date));
	if (m->support_end || m->kind != FWS_KIND_TRUST)
		fprintf(f, _("Security support:   until %s\n"), date);
	for (unsigned i = 0; i < c->sig_count; i++) {
		cli_hex(c->sig_key_ids[i], FWS_KEY_ID_LEN, hex);
		fprintf(f, _("Signer key id:      %s\n"), hex);
	}
	cli_hex(m->chain_head, FWS_SHA256_LEN, hex);
	fprintf(f, _("Chain head:         %s\n"), hex);
	cli_hex(m->image_sha256, FWS_SHA256_LEN, hex);
	fprintf(f, _("Image SHA-256:      %s\n"), hex);
	if (m->sbom_sha256.len == FWS_SHA256_LEN) {
		cli_hex((const uint8_t *)fwh_pkg_check_span(c, m->sbom_sha256), FWS_SHA256_LEN, hex);
		fprintf(f, _("SBOM SHA-256:       %s\n"), hex);
	}
	if (c->complete && c->want_file_sha256) {
		cli_hex(c->file_sha256, FWS_SHA256_LEN, hex);
		fprintf(f, _("Package SHA-256:    %s\n"), hex);
	}
	uint32_t nblocks = fws_manifest_block_count(m);
	fprintf(f,
	        P_("Payload:            %" PRIu32 " bytes in %" PRIu32 " block of %" PRIu32 " bytes\n",
	           "Payload:            %" PRIu32 " bytes in %" PRIu32 " blocks of %" PRIu32 " bytes\n",
	           nblocks),
	        m->payload_size, nblocks, m->block_size);
	if (m->encoding != FWS_ENC_NONE)
		fprintf(f, _("Encoding:           %s, %" PRIu64 " bytes of units and digests to send\n"),
		        fws_encoding_name(m->encoding), fws_manifest_stream_len(m));
	if (m->encoding == FWS_ENC_LZ4_DELTA) {
		cli_hex(m->base_sha256, FWS_SHA256_LEN, hex);
		fprintf(f, _("Delta from:         version %.*s (%" PRIu32 " bytes, SHA-256 %s); installs "
		             "only on a device that runs it\n"),
		        (int)m->base_version.len, fwh_pkg_check_span(c, m->base_version), m->base_size,
		        hex);
	}
	fprintf(f, _("Package size:       %" PRIu64 " bytes\n"), c->file_size);
	if (m->notes.len) {
		fputs(_("Release notes:\n"), f);
		const char *s = fwh_pkg_check_span(c, m->notes);
		size_t n = m->notes.len, start = 0;
		for (size_t i = 0; i <= n; i++) {
			if (i == n || s[i] == '\n') {
				fprintf(f, "  %s\n", esc(e, s + start, i - start, true));
				start = i + 1;
			}
		}
	}
}

void pkg_print_json(struct cli_json *j, const fwh_pkg_check *c)
{
	const fws_manifest *m = &c->manifest;
	cli_json_str(j, "kind", m->kind == FWS_KIND_TRUST ? "trust-update" : "firmware");
	cli_json_str(j, "model", m->model);
	cli_json_u64(j, "vendor_id", m->vendor_id);
	cli_json_u64(j, "class_id", m->class_id);
	cli_json_u64(j, "hw_rev_min", m->hw_rev_min);
	cli_json_u64(j, "hw_rev_max", m->hw_rev_max);
	cli_json_str(j, "component", m->component);
	cli_json_str(j, "version", m->version);
	cli_json_u64(j, "security_counter", m->security_counter);
	cli_json_obj(j, "security");
	cli_json_bool(j, "security_update", m->security_update);
	cli_json_str(j, "severity", fws_severity_name(m->severity));
	cli_json_strn(j, "risks", m->risks.len ? fwh_pkg_check_span(c, m->risks) : "", m->risks.len);
	cli_json_arr(j, "cves");
	for (unsigned i = 0; i < m->cve_count; i++)
		cli_json_strn(j, NULL, fwh_pkg_check_span(c, m->cves[i]), m->cves[i].len);
	cli_json_arr_end(j);
	cli_json_obj_end(j);
	cli_json_obj(j, "disruption");
	cli_json_bool(j, "reboot", m->reboot);
	cli_json_u64(j, "downtime_s", m->downtime_s);
	cli_json_obj_end(j);
	cli_json_date(j, "release_date", m->release_date);
	cli_json_date(j, "support_end", m->support_end);
	cli_json_strn(j, "release_notes", m->notes.len ? fwh_pkg_check_span(c, m->notes) : "",
	              m->notes.len);
	cli_json_arr(j, "signer_key_ids");
	for (unsigned i = 0; i < c->sig_count; i++)
		cli_json_hex(j, NULL, c->sig_key_ids[i], FWS_KEY_ID_LEN);
	cli_json_arr_end(j);
	cli_json_hex(j, "chain_head", m->chain_head, FWS_SHA256_LEN);
	cli_json_hex(j, "image_sha256", m->image_sha256, FWS_SHA256_LEN);
	if (m->sbom_sha256.len == FWS_SHA256_LEN)
		cli_json_hex(j, "sbom_sha256", (const uint8_t *)fwh_pkg_check_span(c, m->sbom_sha256),
		             FWS_SHA256_LEN);
	else
		cli_json_null(j, "sbom_sha256");
	if (c->complete && c->want_file_sha256)
		cli_json_hex(j, "package_sha256", c->file_sha256, FWS_SHA256_LEN);
	cli_json_u64(j, "payload_size", m->payload_size);
	cli_json_u64(j, "block_size", m->block_size);
	cli_json_u64(j, "block_count", fws_manifest_block_count(m));
	cli_json_str(j, "encoding", fws_encoding_name(m->encoding));
	cli_json_u64(j, "stream_size", fws_manifest_stream_len(m));
	if (m->encoding == FWS_ENC_LZ4_DELTA) {
		cli_json_obj(j, "base");
		cli_json_strn(j, "version", fwh_pkg_check_span(c, m->base_version), m->base_version.len);
		cli_json_u64(j, "size", m->base_size);
		cli_json_hex(j, "sha256", m->base_sha256, FWS_SHA256_LEN);
		cli_json_obj_end(j);
	}
	cli_json_u64(j, "package_size", c->file_size);
}

void pkg_print_error(const char *path, const fwh_pkg_check *c, const fws_trust *trust,
                     const char *trust_path)
{
	if (c->err == FWS_E_IO) {
		cli_fail(MSG_PACKAGE_UNREADABLE, path, strerror(c->sys_errno ? c->sys_errno : EIO));
	} else if (c->err == FWS_E_BLOCK_DIGEST) {
		cli_error("%s: block %" PRIu32 " of %" PRIu32 ": %s", path, c->failed_block,
		          fws_manifest_block_count(&c->manifest), _(fws_err_describe(c->err)));
	} else if (c->err == FWS_E_BASE) {
		cli_error("%s: the package given as its base is not version %.*s, the release this "
		          "delta was made from. Give that release's package, or check without it.",
		          path, (int)c->manifest.base_version.len,
		          fwh_pkg_check_span(c, c->manifest.base_version));
	} else if (c->err == FWS_E_ENCODING) {
		cli_error("%s: unit %" PRIu32 " of %" PRIu32 ": %s", path, c->failed_block,
		          fws_manifest_block_count(&c->manifest), _(fws_err_describe(c->err)));
	} else {
		cli_error("%s: %s", path, _(fws_err_describe(c->err)));
		if ((c->err == FWS_E_UNTRUSTED_KEY || c->err == FWS_E_REVOKED_KEY) && trust)
			pkg_print_key_detail(path, trust, trust_path);
	}
}

/* The key ids of the signatures, from the header alone (no check). */
static unsigned signer_ids(const char *path, uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN])
{
	static uint8_t buf[FWS_PKG_PREFIX_MAX]; /* CLI: one thread */
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	fws_pkg_header h;
	if (fws_pkg_header_parse(buf, n, &h) != FWS_OK)
		return 0;
	unsigned count = 0;
	size_t off = FWS_PKG_HEADER_LEN + (size_t)h.manifest_len;
	for (unsigned i = 0; i < h.sig_count && i < FWS_PKG_SIG_MAX; i++) {
		size_t at = off + (size_t)i * FWS_PKG_SIG_LEN;
		if (at + FWS_KEY_ID_LEN > n)
			break;
		memcpy(ids[count++], buf + at, FWS_KEY_ID_LEN);
	}
	return count;
}

void pkg_print_key_detail(const char *path, const fws_trust *trust, const char *trust_path)
{
	uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	unsigned n = signer_ids(path, ids);
	char hex[2 * FWS_KEY_ID_LEN + 1], line[1024];
	size_t o = 0;
	line[0] = '\0';
	for (unsigned i = 0; i < n && o < sizeof line; i++) {
		cli_hex(ids[i], FWS_KEY_ID_LEN, hex);
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? ", " : "", hex);
	}
	fprintf(stderr, _("  signed by key %s"), n ? line : _("(unknown: the header is damaged)"));
	fputc('\n', stderr);
	o = 0;
	line[0] = '\0';
	for (unsigned i = 0; i < trust->count && o < sizeof line; i++) {
		cli_hex(trust->keys[i].id, FWS_KEY_ID_LEN, hex);
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s%s", i ? ", " : "", hex,
		                      (trust->keys[i].flags & FWS_TRUST_REVOKED) ? _(" (revoked)") : "");
	}
	fprintf(stderr, _("  the trust store %s holds %s"), trust_path ? trust_path : "",
	        trust->count ? line : _("no keys"));
	fputc('\n', stderr);
}

int cli_trust_load(const char *given, bool use_default, fws_trust *t, char *used, size_t cap,
                   struct cli_report *rep)
{
	const char *path = given;
	if (path == NULL && use_default)
		path = fwh_trust_default_path(used, cap);
	if (path == NULL)
		return cli_fail_to(rep, MSG_NO_TRUST_STORE);
	if (path != used)
		snprintf(used, cap, "%s", path);
	FILE *f = fopen(used, "rb");
	if (!f)
		return cli_fail_to(rep, MSG_TRUST_STORE_UNREADABLE, used, strerror(errno));
	uint8_t blob[FWS_TRUST_BLOB_MAX + 1];
	size_t n = fread(blob, 1, sizeof(blob), f);
	int rerr = ferror(f) ? errno : 0;
	fclose(f);
	if (rerr)
		return cli_fail_to(rep, MSG_TRUST_STORE_UNREADABLE, used, strerror(rerr));
	fws_err e = n > FWS_TRUST_BLOB_MAX ? FWS_E_TRUST_STORE : fws_trust_parse(blob, n, t);
	if (e != FWS_OK)
		return cli_fail_to(rep, MSG_TRUST_STORE_INVALID, used);
	fwh_log(FWH_LOG_INFO, "cli", "trust store %s: %u keys", used, (unsigned)t->count);
	return -1;
}
