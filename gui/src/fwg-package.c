/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-package.c - see fwg-package.h. */
#include "fwg-config.h"

#include <string.h>

#include "fwg-i18n.h"

#include "fwg-format.h"
#include "fwg-package.h"
#include "fwseal-host/package.h"
#include "fwseal-host/session.h"

G_DEFINE_QUARK(fwseal-gui-error-quark, fwg_error)

struct _FwgPackage {
	GObject parent_instance;
	GFile *file;
	GError *problem;
	char *detail;           /* the library's own sentence, for technicians */
	fwh_package *host;      /* verified and open (NULL when refused) */
	gboolean have_manifest;
	fws_manifest manifest;
	char *risks;
	char *notes;
	GStrv cves;
	char sha256[2 * FWS_SHA256_LEN + 1];
	guint64 file_size;
	gboolean authentic;
	guint8 signer[FWS_KEY_ID_LEN];
	guint sig_count;
	guint8 sig_ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
};

G_DEFINE_FINAL_TYPE(FwgPackage, fwg_package, G_TYPE_OBJECT)

static void fwg_package_finalize(GObject *object)
{
	FwgPackage *self = FWG_PACKAGE(object);
	g_clear_object(&self->file);
	g_clear_error(&self->problem);
	g_free(self->detail);
	if (self->host) {
		fwh_package_close(self->host);
		g_free(self->host);
	}
	g_free(self->risks);
	g_free(self->notes);
	g_strfreev(self->cves);
	G_OBJECT_CLASS(fwg_package_parent_class)->finalize(object);
}

static void fwg_package_class_init(FwgPackageClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = fwg_package_finalize;
}

static void fwg_package_init(FwgPackage *self)
{
	self->risks = g_strdup("");
	self->notes = g_strdup("");
	self->cves = g_new0(char *, 1);
}

/* What the app tells a person when a package cannot be used at all. The
 * protocol's sentences (fws_err_describe) are written for the CLI; these
 * speak to someone at home holding one file. */
static const char *problem_sentence(fws_err e)
{
	switch ((int)e) {
	case FWS_E_SIGNATURE:
	case FWS_E_UNTRUSTED_KEY:
	case FWS_E_REVOKED_KEY:
		return _("This package is not signed by the device maker, or it was changed after "
		         "signing. Do not install it; get the update from the maker again.");
	case FWS_E_BLOCK_DIGEST:
	case FWS_E_IMAGE_DIGEST:
	case FWS_E_CHAIN_END:
		return _("The firmware inside this package was changed or damaged. Do not install "
		         "it; get the update from the maker again.");
	case FWS_E_TRUNCATED:
		return _("This package file is incomplete. Copy or download it again.");
	case FWS_E_MAGIC:
		return _("This file is not a firmware update package.");
	case FWS_E_FORMAT_VERSION:
	case FWS_E_CRITICAL:
		return _("This package needs a newer version of this app. Update the app first.");
	case FWS_E_SUFFIX:
	case FWS_E_TRAILING:
		return _("This package file is damaged. Copy or download it again.");
	case FWS_E_TRUST_STORE:
		return _("The list of trusted signing keys on this computer is damaged, so no package "
		         "can be checked. Reinstall the app or ask your technician.");
	default:
		return fws_err_describe(e);
	}
}

static void set_problem(FwgPackage *self, fws_err e, const char *detail)
{
	g_clear_error(&self->problem);
	if (detail)
		self->problem = g_error_new(FWG_ERROR, e, "%s", detail);
	else
		self->problem = g_error_new_literal(FWG_ERROR, e, problem_sentence(e));
}

/* Manifest text is outside input: make it valid UTF-8 before any widget
 * sees it. */
static char *span_dup(const uint8_t *base, size_t base_len, fws_span s)
{
	if ((size_t)s.off + s.len > base_len)
		return g_strdup("");
	return g_utf8_make_valid((const char *)base + s.off, s.len);
}

static void take_manifest(FwgPackage *self, const uint8_t *prefix, size_t prefix_len,
                          const fws_manifest *m)
{
	self->have_manifest = TRUE;
	self->manifest = *m;
	g_free(self->risks);
	self->risks = span_dup(prefix, prefix_len, m->risks);
	g_free(self->notes);
	self->notes = span_dup(prefix, prefix_len, m->notes);
	g_strfreev(self->cves);
	self->cves = g_new0(char *, (gsize)m->cve_count + 1);
	for (guint i = 0; i < m->cve_count && i < FWS_CVE_COUNT_MAX; i++)
		self->cves[i] = span_dup(prefix, prefix_len, m->cves[i]);
	const fws_pkg_header *h = NULL;
	fws_pkg_header hdr;
	if (fws_pkg_header_parse(prefix, prefix_len, &hdr) == FWS_OK)
		h = &hdr;
	self->sig_count = 0;
	if (h && FWS_PKG_HEADER_LEN + (size_t)h->manifest_len +
	         (size_t)h->sig_count * FWS_PKG_SIG_LEN <= prefix_len) {
		const uint8_t *sigs = prefix + FWS_PKG_HEADER_LEN + h->manifest_len;
		self->sig_count = MIN(h->sig_count, FWS_PKG_SIG_MAX);
		for (guint i = 0; i < self->sig_count; i++)
			memcpy(self->sig_ids[i], sigs + (gsize)i * FWS_PKG_SIG_LEN, FWS_KEY_ID_LEN);
	}
}

/* Read the manifest of a package that failed verification, without trusting
 * it, so a technician can see what it claims to be (details window only;
 * nothing in it is used for a decision). */
static void peek_manifest(FwgPackage *self, const char *path)
{
	g_autofree uint8_t *buf = g_malloc(FWS_PKG_BUF_MIN);
	g_autofree uint8_t *head = g_malloc(FWS_PKG_PREFIX_MAX);
	g_autoptr(GFile) f = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) in = g_file_read(f, NULL, NULL);
	gsize n = 0;
	if (!in || !g_input_stream_read_all(G_INPUT_STREAM(in), head, FWS_PKG_PREFIX_MAX, &n,
	                                    NULL, NULL))
		return;
	fws_pkg_reader r;
	if (fws_pkg_reader_init(&r, buf, FWS_PKG_BUF_MIN, NULL, FWS_PKG_UNVERIFIED) != FWS_OK)
		return;
	gsize off = 0;
	while (off < n) {
		size_t used = 0;
		enum fws_pkg_event ev;
		if (fws_pkg_reader_feed(&r, head + off, n - off, &used, &ev) != FWS_OK)
			return;
		off += used;
		if (ev == FWS_PKG_PREFIX) {
			take_manifest(self, r.buf, r.prefix_len, &r.manifest);
			return;
		}
		if (used == 0)
			return;
	}
}

FwgPackage *fwg_package_load(GFile *file, const fws_trust *trust)
{
	FwgPackage *self = g_object_new(FWG_TYPE_PACKAGE, NULL);
	self->file = g_object_ref(file);
	g_autofree char *path = g_file_get_path(file);
	if (!path) {
		set_problem(self, FWS_E_IO, _("This file is not on a local disk. Copy it to this "
		                              "computer first."));
		return self;
	}
	if (!trust) {
		set_problem(self, FWS_E_TRUST_STORE,
		            _("This computer has no list of trusted signing keys, so it cannot check "
		              "the package. Reinstall the app or ask your technician."));
		peek_manifest(self, path);
		return self;
	}
	fwh_package *p = g_new0(fwh_package, 1);
	fwh_error err = {0};
	fws_err e = fwh_package_open(p, path, trust, &err);
	if (e == FWS_OK) {
		self->authentic = TRUE;
		self->file_size = p->file_size;
		memcpy(self->signer, p->signer, FWS_KEY_ID_LEN);
		g_autofree char *hex = fwg_format_hex(p->file_sha256, FWS_SHA256_LEN);
		g_strlcpy(self->sha256, hex, sizeof(self->sha256));
		take_manifest(self, p->prefix, p->prefix_len, &p->manifest);
		/* Kept open: the session streams from this very file, so what
		 * was verified is what is sent (the device verifies again). */
		self->host = g_steal_pointer(&p);
	} else {
		/* The library's sentence names the file (CLI style); the app
		 * shows its own (with the library's, translated, when the file
		 * cannot be read), and keeps the English one for the details. */
		self->detail = g_strdup(err.msg);
		if (e == FWS_E_IO) {
			g_autofree char *msg = g_strdup_printf(_("Cannot read the package file: %s"),
			                                       err.text);
			set_problem(self, e, msg);
		} else {
			set_problem(self, e, NULL);
		}
		peek_manifest(self, path);
	}
	g_free(p);
	return self;
}

typedef struct {
	GFile *file;
	fws_trust trust;
	gboolean have_trust;
} LoadData;

static void load_data_free(gpointer p)
{
	LoadData *d = p;
	g_object_unref(d->file);
	g_free(d);
}

static void load_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	(void)source;
	(void)cancellable;
	LoadData *d = task_data;
	FwgPackage *pkg = fwg_package_load(d->file, d->have_trust ? &d->trust : NULL);
	g_task_return_pointer(task, pkg, g_object_unref);
}

void fwg_package_load_async(GFile *file, const fws_trust *trust, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, fwg_package_load_async);
	g_task_set_return_on_cancel(task, TRUE);
	LoadData *d = g_new0(LoadData, 1);
	d->file = g_object_ref(file);
	if (trust) {
		d->trust = *trust;
		d->have_trust = TRUE;
	}
	g_task_set_task_data(task, d, load_data_free);
	g_task_run_in_thread(task, load_thread);
}

FwgPackage *fwg_package_load_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

GFile *fwg_package_get_file(FwgPackage *self) { return self->file; }
const GError *fwg_package_get_problem(FwgPackage *self) { return self->problem; }
gboolean fwg_package_has_manifest(FwgPackage *self) { return self->have_manifest; }
const fws_manifest *fwg_package_get_manifest(FwgPackage *self) { return &self->manifest; }
const char *fwg_package_get_risks(FwgPackage *self) { return self->risks; }
const char *fwg_package_get_notes(FwgPackage *self) { return self->notes; }
const char *const *fwg_package_get_cves(FwgPackage *self)
{
	return (const char *const *)self->cves;
}
const char *fwg_package_get_sha256(FwgPackage *self) { return self->sha256; }
guint64 fwg_package_get_file_size(FwgPackage *self) { return self->file_size; }

const guint8 *fwg_package_get_signer(FwgPackage *self)
{
	return self->authentic ? self->signer : NULL;
}

const fwh_package *fwg_package_get_host_package(FwgPackage *self)
{
	return self->host;
}

gboolean fwg_package_check_fits(FwgPackage *self, const fws_devinfo *info, GError **error)
{
	g_return_val_if_fail(FWG_IS_PACKAGE(self), FALSE);
	if (self->problem || !self->host) {
		g_propagate_error(error, g_error_copy(self->problem));
		return FALSE;
	}
	const fws_manifest *m = &self->manifest;
	/* The library's pre-flight check is the policy (the same one the CLI
	 * and the device apply); the app only words its answer for people. */
	fwh_error err = {0};
	fws_err e = fwh_preflight(self->host, info, &err);
	switch ((int)e) {
	case FWS_OK:
		break;
	case FWS_E_VENDOR:
	case FWS_E_MODEL:
		g_set_error(error, FWG_ERROR, e,
		            _("This package is for a %s, but the connected device is a %s. Pick the "
		              "package made for the %s."), m->model, info->model, info->model);
		return FALSE;
	case FWS_E_HW_REV:
		g_set_error(error, FWG_ERROR, e,
		            _("This package does not support hardware revision %u of the %s. Pick the "
		              "package made for this revision."), info->hw_rev, info->model);
		return FALSE;
	case FWS_E_COMPONENT:
		g_set_error(error, FWG_ERROR, e,
		            _("This package updates the “%s” part, which this device does not have."),
		            m->component);
		return FALSE;
	case FWS_E_UNTRUSTED_KEY:
	case FWS_E_REVOKED_KEY:
		g_set_error_literal(error, FWG_ERROR, e,
		                    _("The device does not trust the key this package was signed "
		                      "with. Use a package from the maker of this device."));
		return FALSE;
	case FWS_E_DOWNGRADE:
		g_set_error(error, FWG_ERROR, e,
		            _("This package holds an older version (%s) than the device runs (%s). "
		              "Going back is not allowed, because it would bring back security "
		              "problems that were fixed."),
		            m->version, fwg_format_version(info->fw_version));
		return FALSE;
	case FWS_E_TOO_BIG:
		g_set_error_literal(error, FWG_ERROR, e,
		                    _("This firmware is too large for the device's memory. Pick the "
		                      "package made for this model."));
		return FALSE;
	case FWS_E_BLOCK_SIZE:
		g_set_error_literal(error, FWG_ERROR, e,
		                    _("This package was made for a newer update stub than the device "
		                      "has. Ask the maker for a package for this device."));
		return FALSE;
	default:
		/* the protocol's sentence, translated (protocol/src/err.c marks them);
		 * the library's more technical one is in the log */
		g_set_error_literal(error, FWG_ERROR, e, g_dgettext(GETTEXT_PACKAGE,
		                                                    fws_err_describe(e)));
		return FALSE;
	}
	if (strcmp(m->version, info->fw_version) == 0 &&
	    m->security_counter == info->security_counter) {
		g_set_error(error, FWG_ERROR, FWS_E_STATE,
		            _("The device already runs version %s. There is nothing to install."),
		            m->version);
		return FALSE;
	}
	return TRUE;
}

static void add_date(GString *s, const char *label, int64_t t)
{
	if (t <= 0) {
		g_string_append_printf(s, "%-18s -\n", label);
		return;
	}
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);
	g_autofree char *iso = d ? g_date_time_format_iso8601(d) : g_strdup("?");
	g_string_append_printf(s, "%-18s %s\n", label, iso);
}

char *fwg_package_describe(FwgPackage *self)
{
	GString *s = g_string_new(NULL);
	g_autofree char *path = g_file_get_path(self->file);
	/* the home folder as "~", as everywhere in the app */
	g_autofree char *shown = path ? fwg_format_path(path) : g_strdup("?");
	g_string_append_printf(s, "%-18s %s\n", "file", shown);
	if (self->file_size)
		g_string_append_printf(s, "%-18s %" G_GUINT64_FORMAT "\n", "file size", self->file_size);
	g_string_append_printf(s, "%-18s %s\n", "file sha256", self->sha256[0] ? self->sha256 : "-");
	if (self->problem)
		g_string_append_printf(s, "%-18s REFUSED (%s): %s\n", "check",
		                       fws_err_name((fws_err)self->problem->code),
		                       self->detail ? self->detail : self->problem->message);
	else
		g_string_append_printf(s, "%-18s ok (signature, every block, suffix)\n", "check");
	if (self->authentic) {
		g_autofree char *id = fwg_format_hex(self->signer, FWS_KEY_ID_LEN);
		g_string_append_printf(s, "%-18s %s\n", "signed by key", id);
	}
	if (!self->have_manifest)
		return g_string_free(s, FALSE);
	const fws_manifest *m = &self->manifest;
	if (!self->authentic)
		g_string_append(s, "(manifest below is NOT authenticated)\n");
	for (guint i = 0; i < self->sig_count; i++) {
		g_autofree char *id = fwg_format_hex(self->sig_ids[i], FWS_KEY_ID_LEN);
		g_string_append_printf(s, "%-18s %s\n", "signature key id", id);
	}
	g_string_append_printf(s, "%-18s 0x%04x\n", "vendor id", m->vendor_id);
	g_string_append_printf(s, "%-18s 0x%04x\n", "class id", m->class_id);
	g_string_append_printf(s, "%-18s %s\n", "model", m->model);
	g_string_append_printf(s, "%-18s %u..%u\n", "hardware revision", m->hw_rev_min, m->hw_rev_max);
	g_string_append_printf(s, "%-18s %s\n", "component", m->component);
	g_string_append_printf(s, "%-18s %s\n", "version", m->version);
	g_string_append_printf(s, "%-18s %u\n", "security counter", m->security_counter);
	g_string_append_printf(s, "%-18s %u\n", "payload size", m->payload_size);
	g_string_append_printf(s, "%-18s %u\n", "block size", m->block_size);
	g_autofree char *head = fwg_format_hex(m->chain_head, FWS_SHA256_LEN);
	g_autofree char *img = fwg_format_hex(m->image_sha256, FWS_SHA256_LEN);
	g_string_append_printf(s, "%-18s %s\n", "chain head", head);
	g_string_append_printf(s, "%-18s %s\n", "image sha256", img);
	add_date(s, "release date", m->release_date);
	add_date(s, "support end", m->support_end);
	g_string_append_printf(s, "%-18s %s, severity %s\n", "security update",
	                       m->security_update ? "yes" : "no", fws_severity_name(m->severity));
	g_string_append_printf(s, "%-18s %s\n", "risks", self->risks[0] ? self->risks : "-");
	for (guint i = 0; self->cves[i]; i++)
		g_string_append_printf(s, "%-18s %s\n", "cve", self->cves[i]);
	g_string_append_printf(s, "%-18s reboot %s, downtime %u s\n", "disruption",
	                       m->reboot ? "yes" : "no", m->downtime_s);
	g_string_append_printf(s, "%-18s %s\n", "release notes", self->notes[0] ? self->notes : "-");
	return g_string_free(s, FALSE);
}
