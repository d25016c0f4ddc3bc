/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-catalog.c - see fwg-catalog.h. */
#include "fwg-config.h"

#include <string.h>

#include "fwg-catalog.h"

#define DEBOUNCE_MS 400u
#define MAX_PACKAGES 256u   /* a folder of thousands of files is not a catalog */

typedef struct {
	FwgPackage *package;
	guint64 mtime;
	goffset size;
} Entry;

struct _FwgCatalog {
	GObject parent_instance;
	FwgLog *log;
	GFile *folder;
	GFileMonitor *monitor;
	fws_trust trust;
	gboolean have_trust;
	GHashTable *entries;    /* path -> Entry */
	GCancellable *cancellable;
	guint debounce;
	guint pending;          /* loads in flight */
	gboolean again;         /* a refresh was asked for while one ran */
	gboolean listing;
};

G_DEFINE_FINAL_TYPE(FwgCatalog, fwg_catalog, G_TYPE_OBJECT)

enum { SIGNAL_FOLDER_CHANGED, SIGNAL_REFRESHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void entry_free(gpointer p)
{
	Entry *e = p;
	g_clear_object(&e->package);
	g_free(e);
}

static void fwg_catalog_dispose(GObject *object)
{
	FwgCatalog *self = FWG_CATALOG(object);
	g_cancellable_cancel(self->cancellable);
	g_clear_handle_id(&self->debounce, g_source_remove);
	if (self->monitor)
		g_signal_handlers_disconnect_by_data(self->monitor, self);
	g_clear_object(&self->monitor);
	G_OBJECT_CLASS(fwg_catalog_parent_class)->dispose(object);
}

static void fwg_catalog_finalize(GObject *object)
{
	FwgCatalog *self = FWG_CATALOG(object);
	g_clear_object(&self->folder);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->log);
	g_hash_table_unref(self->entries);
	G_OBJECT_CLASS(fwg_catalog_parent_class)->finalize(object);
}

static void fwg_catalog_class_init(FwgCatalogClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	oc->dispose = fwg_catalog_dispose;
	oc->finalize = fwg_catalog_finalize;
	signals[SIGNAL_FOLDER_CHANGED] = g_signal_new("folder-changed", G_TYPE_FROM_CLASS(klass),
	                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                              G_TYPE_NONE, 0);
	signals[SIGNAL_REFRESHED] = g_signal_new("refreshed", G_TYPE_FROM_CLASS(klass),
	                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                         G_TYPE_NONE, 0);
}

static void fwg_catalog_init(FwgCatalog *self)
{
	self->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	self->cancellable = g_cancellable_new();
}

FwgCatalog *fwg_catalog_new(FwgLog *log)
{
	FwgCatalog *self = g_object_new(FWG_TYPE_CATALOG, NULL);
	self->log = g_object_ref(log);
	return self;
}

void fwg_catalog_set_trust(FwgCatalog *self, const fws_trust *trust)
{
	self->have_trust = trust != NULL;
	if (trust)
		self->trust = *trust;
	g_hash_table_remove_all(self->entries);
}

GFile *fwg_catalog_get_folder(FwgCatalog *self)
{
	return self->folder;
}

gboolean fwg_catalog_is_busy(FwgCatalog *self)
{
	return self->listing || self->pending > 0;
}

static gboolean debounce_done(gpointer data)
{
	FwgCatalog *self = data;
	self->debounce = 0;
	g_signal_emit(self, signals[SIGNAL_FOLDER_CHANGED], 0);
	return G_SOURCE_REMOVE;
}

static void on_folder_event(GFileMonitor *m, GFile *file, GFile *other, GFileMonitorEvent ev,
                            gpointer data)
{
	(void)m;
	(void)file;
	(void)other;
	FwgCatalog *self = data;
	switch (ev) {
	case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
	case G_FILE_MONITOR_EVENT_DELETED:
	case G_FILE_MONITOR_EVENT_CREATED:
	case G_FILE_MONITOR_EVENT_MOVED_IN:
	case G_FILE_MONITOR_EVENT_MOVED_OUT:
	case G_FILE_MONITOR_EVENT_RENAMED:
		/* Copying a package to a stick fires many events: wait until
		 * they calm down before reading. */
		g_clear_handle_id(&self->debounce, g_source_remove);
		self->debounce = g_timeout_add(DEBOUNCE_MS, debounce_done, self);
		break;
	case G_FILE_MONITOR_EVENT_CHANGED:
	case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
	case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
	case G_FILE_MONITOR_EVENT_UNMOUNTED:
	case G_FILE_MONITOR_EVENT_MOVED:
	default:
		break;
	}
}

void fwg_catalog_set_folder(FwgCatalog *self, GFile *folder)
{
	if (self->folder && folder && g_file_equal(self->folder, folder))
		return;
	if (self->monitor)
		g_signal_handlers_disconnect_by_data(self->monitor, self);
	g_clear_object(&self->monitor);
	g_set_object(&self->folder, folder);
	g_hash_table_remove_all(self->entries);
	if (!folder)
		return;
	g_autoptr(GError) error = NULL;
	self->monitor = g_file_monitor_directory(folder, G_FILE_MONITOR_WATCH_MOVES,
	                                         self->cancellable, &error);
	g_autofree char *path = g_file_get_path(folder);
	if (!self->monitor) {
		fwg_log_add(self->log, "cannot watch package folder %s: %s", path, error->message);
		return;
	}
	fwg_log_add(self->log, "watching package folder %s", path);
	g_signal_connect(self->monitor, "changed", G_CALLBACK(on_folder_event), self);
}

static void finish_if_idle(FwgCatalog *self)
{
	if (self->listing || self->pending > 0)
		return;
	if (self->again) {
		self->again = FALSE;
		fwg_catalog_refresh(self);
		return;
	}
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
}

typedef struct {
	FwgCatalog *self;
	char *path;
	guint64 mtime;
	goffset size;
} LoadCtx;

static void load_done(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	LoadCtx *ctx = data;
	FwgCatalog *self = ctx->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(FwgPackage) pkg = fwg_package_load_finish(res, &error);
	if (pkg && !g_cancellable_is_cancelled(self->cancellable)) {
		Entry *e = g_new0(Entry, 1);
		e->package = g_steal_pointer(&pkg);
		e->mtime = ctx->mtime;
		e->size = ctx->size;
		const GError *problem = fwg_package_get_problem(e->package);
		const fws_manifest *m = fwg_package_get_manifest(e->package);
		if (problem)
			fwg_log_add(self->log, "package %s refused: %s", ctx->path, problem->message);
		else
			fwg_log_add(self->log, "package %s verified: %s version %s", ctx->path,
			            m->model, m->version);
		g_hash_table_replace(self->entries, g_strdup(ctx->path), e);
	}
	if (!g_cancellable_is_cancelled(self->cancellable)) {
		self->pending--;
		finish_if_idle(self);
	}
	g_free(ctx->path);
	g_free(ctx);
	g_object_unref(self);
}

static void list_done(GObject *source, GAsyncResult *res, gpointer data)
{
	FwgCatalog *self = data;
	g_autoptr(GError) error = NULL;
	g_autolist(GFileInfo) infos = g_file_enumerator_next_files_finish(
		G_FILE_ENUMERATOR(source), res, &error);
	if (g_cancellable_is_cancelled(self->cancellable)) {
		g_object_unref(self);
		return;
	}
	GFile *dir = g_file_enumerator_get_container(G_FILE_ENUMERATOR(source));
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint count = 0;
	for (GList *l = infos; l && count < MAX_PACKAGES; l = l->next) {
		GFileInfo *fi = l->data;
		const char *name = g_file_info_get_name(fi);
		if (g_file_info_get_file_type(fi) != G_FILE_TYPE_REGULAR ||
		    !g_str_has_suffix(name, ".fwseal"))
			continue;
		count++;
		g_autoptr(GFile) f = g_file_get_child(dir, name);
		char *path = g_file_get_path(f);
		guint64 mtime = g_file_info_get_attribute_uint64(fi, G_FILE_ATTRIBUTE_TIME_MODIFIED);
		goffset size = g_file_info_get_size(fi);
		g_hash_table_add(seen, path);
		Entry *e = g_hash_table_lookup(self->entries, path);
		if (e && e->mtime == mtime && e->size == size)
			continue;
		LoadCtx *ctx = g_new0(LoadCtx, 1);
		ctx->self = g_object_ref(self);
		ctx->path = g_strdup(path);
		ctx->mtime = mtime;
		ctx->size = size;
		self->pending++;
		fwg_package_load_async(f, self->have_trust ? &self->trust : NULL, self->cancellable,
		                       load_done, ctx);
	}
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, self->entries);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (!g_hash_table_contains(seen, key))
			g_hash_table_iter_remove(&it);
	self->listing = FALSE;
	g_file_enumerator_close_async(G_FILE_ENUMERATOR(source), G_PRIORITY_DEFAULT, NULL, NULL,
	                              NULL);
	finish_if_idle(self);
	g_object_unref(self);
}

static void enumerate_done(GObject *source, GAsyncResult *res, gpointer data)
{
	FwgCatalog *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GFileEnumerator) en = g_file_enumerate_children_finish(G_FILE(source), res, &error);
	if (g_cancellable_is_cancelled(self->cancellable)) {
		g_object_unref(self);
		return;
	}
	if (!en) {
		g_autofree char *path = g_file_get_path(G_FILE(source));
		fwg_log_add(self->log, "cannot read package folder %s: %s", path, error->message);
		g_hash_table_remove_all(self->entries);
		self->listing = FALSE;
		finish_if_idle(self);
		g_object_unref(self);
		return;
	}
	g_file_enumerator_next_files_async(en, (int)MAX_PACKAGES * 4, G_PRIORITY_DEFAULT,
	                                   self->cancellable, list_done, self);
}

void fwg_catalog_refresh(FwgCatalog *self)
{
	if (self->listing || self->pending > 0) {
		self->again = TRUE;
		return;
	}
	if (!self->folder) {
		g_hash_table_remove_all(self->entries);
		g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
		return;
	}
	self->listing = TRUE;
	g_file_enumerate_children_async(self->folder,
	                                G_FILE_ATTRIBUTE_STANDARD_NAME ","
	                                G_FILE_ATTRIBUTE_STANDARD_TYPE ","
	                                G_FILE_ATTRIBUTE_STANDARD_SIZE ","
	                                G_FILE_ATTRIBUTE_TIME_MODIFIED,
	                                G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
	                                self->cancellable, enumerate_done, g_object_ref(self));
}

static gboolean better(FwgPackage *a, FwgPackage *b)
{
	const fws_manifest *ma = fwg_package_get_manifest(a), *mb = fwg_package_get_manifest(b);
	/* a security key update that fits comes first: firmware signed by a
	 * new key needs it (docs/trust.md); its counter is a trust version,
	 * not comparable with firmware's */
	if (ma->kind != mb->kind)
		return ma->kind == FWS_KIND_TRUST;
	if (ma->security_counter != mb->security_counter)
		return ma->security_counter > mb->security_counter;
	return ma->release_date > mb->release_date;
}

FwgPackage *fwg_catalog_best_for(FwgCatalog *self, const fws_devinfo *info)
{
	FwgPackage *best = NULL;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, self->entries);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		Entry *e = value;
		if (!fwg_package_check_fits(e->package, info, NULL))
			continue;
		if (!best || better(e->package, best))
			best = e->package;
	}
	return best;
}
