/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-installer.c - see fwg-installer.h. */
#include "fwg-config.h"

#include <stdatomic.h>
#include <string.h>

#include "fwg-i18n.h"

#include "fwg-format.h"
#include "fwg-installer.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/session.h"

struct _FwgInstaller {
	GObject parent_instance;
	FwgDevice *device;
	FwgPackage *package;
	FwgLog *log;
	char *device_id;          /* copied for the worker thread */
	fws_devinfo before;       /* the device's record when the update was made */
	GMainContext *context;    /* where "progress" is emitted */

	/* main-thread state */
	FwgStep step;
	double fraction;
	double eta;
	gboolean running;

	/* written by the worker, read after the task returns */
	atomic_int cancel;
	gboolean resumable;
	gboolean changed_on_host; /* the package file changed after it was checked (fwh_pkg_stream) */
	fwh_flash_result result;
};

G_DEFINE_FINAL_TYPE(FwgInstaller, fwg_installer, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

static void fwg_installer_finalize(GObject *object)
{
	FwgInstaller *self = FWG_INSTALLER(object);
	g_clear_object(&self->device);
	g_clear_object(&self->package);
	g_clear_object(&self->log);
	g_free(self->device_id);
	g_main_context_unref(self->context);
	G_OBJECT_CLASS(fwg_installer_parent_class)->finalize(object);
}

static void fwg_installer_class_init(FwgInstallerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = fwg_installer_finalize;
	signals[SIGNAL_PROGRESS] = g_signal_new("progress", G_TYPE_FROM_CLASS(klass),
	                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                        G_TYPE_NONE, 0);
}

static void fwg_installer_init(FwgInstaller *self)
{
	self->eta = -1;
	self->context = g_main_context_ref_thread_default();
}

FwgInstaller *fwg_installer_new(FwgDevice *device, FwgPackage *package, FwgLog *log)
{
	g_return_val_if_fail(fwg_package_get_host_package(package) != NULL, NULL);
	FwgInstaller *self = g_object_new(FWG_TYPE_INSTALLER, NULL);
	self->device = g_object_ref(device);
	self->package = g_object_ref(package);
	self->log = g_object_ref(log);
	self->device_id = g_strdup(fwg_device_get_id(device));
	self->before = *fwg_device_get_info(device);
	return self;
}

FwgDevice *fwg_installer_get_device(FwgInstaller *self) { return self->device; }
FwgPackage *fwg_installer_get_package(FwgInstaller *self) { return self->package; }
FwgStep fwg_installer_get_step(FwgInstaller *self) { return self->step; }
double fwg_installer_get_fraction(FwgInstaller *self) { return self->fraction; }
double fwg_installer_get_eta(FwgInstaller *self) { return self->eta; }
gboolean fwg_installer_get_resumable(FwgInstaller *self) { return self->resumable; }
gboolean fwg_installer_get_changed_on_host(FwgInstaller *self) { return self->changed_on_host; }
gboolean fwg_installer_get_resumed(FwgInstaller *self) { return self->result.resumed; }
gboolean fwg_installer_get_confirmed(FwgInstaller *self) { return self->result.confirmed; }
const fws_devinfo *fwg_installer_get_after(FwgInstaller *self) { return &self->result.after; }
const fws_devinfo *fwg_installer_get_before(FwgInstaller *self) { return &self->before; }

gboolean fwg_installer_get_can_cancel(FwgInstaller *self)
{
	return self->running && (self->step == FWG_STEP_PREPARE || self->step == FWG_STEP_SEND);
}

gboolean fwg_installer_get_keep_plugged(FwgInstaller *self)
{
	/* Unplugging never bricks the device (it keeps the old image until the
	 * new one is verified and committed, and resumes a cut download), but
	 * from the first byte until the new firmware reports, pulling the cable
	 * costs the user a retry. */
	return self->running && self->step != FWG_STEP_PREPARE && self->step != FWG_STEP_DONE;
}

static FwgStep step_of(enum fwh_phase p)
{
	switch (p) {
	case FWH_PHASE_PREPARE: return FWG_STEP_PREPARE;
	case FWH_PHASE_DOWNLOAD: return FWG_STEP_SEND;
	case FWH_PHASE_MANIFEST: return FWG_STEP_CHECK;
	case FWH_PHASE_RESTART:
	case FWH_PHASE_WAIT: return FWG_STEP_RESTART;
	case FWH_PHASE_DONE: return FWG_STEP_DONE;
	default: return FWG_STEP_PREPARE;
	}
}

typedef struct {
	FwgInstaller *self;
	fwh_progress p;
} ProgressMsg;

static gboolean emit_progress(gpointer data)
{
	ProgressMsg *m = data;
	FwgInstaller *self = m->self;
	FwgStep step = step_of(m->p.phase);
	if (step != self->step)
		fwg_log_add(self->log, "update step: %s", fwh_phase_name(m->p.phase));
	if (m->p.resumed && self->step == FWG_STEP_PREPARE && step == FWG_STEP_SEND)
		fwg_log_add(self->log, "resuming an interrupted download at byte %" G_GUINT64_FORMAT,
		            m->p.resume_offset);
	self->step = step;
	/* The bar covers the transfer; the device's own checks and restart
	 * take the last few percent so it never sits at 100 % while waiting. */
	double sent = m->p.total ? (double)m->p.done / (double)m->p.total : 0.0;
	switch (step) {
	case FWG_STEP_PREPARE: self->fraction = 0.0; break;
	case FWG_STEP_SEND: self->fraction = 0.95 * sent; break;
	case FWG_STEP_CHECK: self->fraction = 0.96; break;
	case FWG_STEP_RESTART: self->fraction = 0.98; break;
	case FWG_STEP_DONE: self->fraction = 1.0; break;
	}
	self->eta = step == FWG_STEP_SEND ? m->p.eta : -1.0;
	g_signal_emit(self, signals[SIGNAL_PROGRESS], 0);
	return G_SOURCE_REMOVE;
}

static void progress_free(gpointer data)
{
	ProgressMsg *m = data;
	g_object_unref(m->self);
	g_free(m);
}

/* Called on the worker thread by the session. */
static void on_progress(void *user, const fwh_progress *p)
{
	FwgInstaller *self = user;
	ProgressMsg *m = g_new0(ProgressMsg, 1);
	m->self = g_object_ref(self);
	m->p = *p;
	g_main_context_invoke_full(self->context, G_PRIORITY_DEFAULT, emit_progress, m,
	                           progress_free);
}

static void on_cancelled(GCancellable *c, gpointer data)
{
	(void)c;
	FwgInstaller *self = data;
	atomic_store(&self->cancel, 1);
}

static void run_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	(void)data;
	FwgInstaller *self = source;
	const fwh_package *pkg = fwg_package_get_host_package(self->package);
	fwh_error err = {0};
	fwh_link *link = NULL;
	fws_err e = fwh_open(self->device_id, NULL, &link, &err);
	if (e == FWS_OK) {
		/* Read the record again: the device on this port now is the one
		 * the package must fit, whatever was there a moment ago. */
		fws_devinfo info;
		e = fwh_dfu_info(link, &info, &err);
		if (e == FWS_OK)
			e = fwh_preflight(pkg, &info, &err);
	}
	if (e == FWS_OK) {
		gulong id = g_cancellable_connect(cancellable, G_CALLBACK(on_cancelled), self, NULL);
		fwh_flash_opts opts = {
			.progress = on_progress,
			.user = self,
			.cancel = &self->cancel,
		};
		e = fwh_flash(&link, pkg, &opts, &self->result, &err);
		g_cancellable_disconnect(cancellable, id);
		self->resumable = e != FWS_OK && self->result.interrupted;
	} else {
		self->resumable = e == FWS_E_DISCONNECTED || e == FWS_E_TIMEOUT || e == FWS_E_IO;
	}
	fwh_close(link);
	/* the host's own re-check of what it sends (issue 16): the file, not
	 * the device, is what changed */
	self->changed_on_host = e != FWS_OK && !err.from_device &&
	                        (e == FWS_E_BLOCK_DIGEST || e == FWS_E_CHAIN_END ||
	                         e == FWS_E_SUFFIX || e == FWS_E_IMAGE_DIGEST);
	if (e == FWS_OK)
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_new_error(task, FWG_ERROR, e, "%s",
		                        err.msg[0] ? err.msg : fws_err_describe(e));
}

void fwg_installer_run_async(FwgInstaller *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(!self->running);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, fwg_installer_run_async);
	/* The session reports cancellation itself (FWS_E_CANCELLED) after
	 * stopping cleanly; do not return early. */
	g_task_set_check_cancellable(task, FALSE);
	self->running = TRUE;
	self->step = FWG_STEP_PREPARE;
	self->fraction = 0.0;
	self->eta = -1.0;
	atomic_store(&self->cancel, 0);
	memset(&self->result, 0, sizeof(self->result));
	const fws_manifest *m = fwg_package_get_manifest(self->package);
	fwg_log_add(self->log, "update started: %s -> version %s (%s)", self->device_id,
	            m->version, fwg_package_get_sha256(self->package));
	g_task_run_in_thread(task, run_thread);
}

gboolean fwg_installer_run_finish(FwgInstaller *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	self->running = FALSE;
	GError *e = NULL;
	gboolean ok = g_task_propagate_boolean(G_TASK(result), &e);
	if (ok) {
		self->step = FWG_STEP_DONE;
		self->fraction = 1.0;
		/* the digest of what was sent, re-read and re-verified while sending
		 * (fwh_flash): a file changed since it was loaded stops the update */
		g_autofree char *sent = fwg_format_hex(self->result.package_sha256, FWS_SHA256_LEN);
		fwg_log_add(self->log, "update finished: device runs %s (%.1f s, %" G_GUINT64_FORMAT
		            " bytes sent%s%s, package %s)", self->result.after.fw_version,
		            self->result.seconds, self->result.sent,
		            self->result.resumed ? ", resumed" : "",
		            self->result.confirmed ? "" : ", not confirmed by the firmware", sent);
	} else {
		fwg_log_add(self->log, "update failed (%s%s): %s", fws_err_name((fws_err)e->code),
		            self->resumable ? ", can resume" : "", e->message);
		g_propagate_error(error, e);
	}
	return ok;
}
