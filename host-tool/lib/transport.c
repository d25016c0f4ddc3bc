/* SPDX-License-Identifier: Apache-2.0 */
/* transport.c - the table of built-in transports and the generic entry
 * points above it (fwseal-host/transport.h). */
#include "fwseal-host/transport.h"

#include "fwseal-host/log.h"

static const fwh_transport_ops *const transports[] = {
	&fwh_serial_ops,
#ifdef FWSEAL_HAVE_USB
	&fwh_usb_ops,
	&fwh_hid_ops,
#endif
};

const fwh_transport_ops *const *fwh_transports(size_t *count)
{
	*count = sizeof transports / sizeof transports[0];
	return transports;
}

const fwh_transport_ops *fwh_transport_for(enum fwh_kind kind)
{
	for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
		if (transports[i]->kind == kind)
			return transports[i];
	return NULL;
}

fws_err fwh_open_id(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                    fwh_error *err)
{
	static const fwh_link_opts defaults = { 0 };
	const fwh_transport_ops *ops = fwh_transport_for(id->kind);
	*out = NULL;
	if (ops == NULL) {
		char s[FWH_DEVSTR_MAX];
		fwh_dev_id_format(id, s, sizeof s);
		return fwh_error_set(err, FWS_E_NO_DEVICE,
		                     "This fwseal was built without support for %s devices; "
		                     "use a build with USB support or a serial connection.",
		                     s);
	}
	fws_err e = ops->open(id, opts ? opts : &defaults, out, err);
	if (fwh_log_on(FWH_LOG_INFO)) {
		char s[FWH_DEVSTR_MAX];
		fwh_dev_id_format(id, s, sizeof s);
		fwh_log(FWH_LOG_INFO, ops->name, "open %s: %s", s,
		        e == FWS_OK ? "ok" : (err && err->msg[0] ? err->msg : fws_err_name(e)));
	}
	return e;
}

fws_err fwh_open(const char *device, const fwh_link_opts *opts, fwh_link **out,
                 fwh_error *err)
{
	fwh_dev_id id;
	*out = NULL;
	fws_err e = fwh_dev_id_parse(device, &id, err);
	if (e != FWS_OK)
		return e;
	return fwh_open_id(&id, opts, out, err);
}

void fwh_close(fwh_link *l)
{
	if (l)
		l->ops->close(l);
}

fws_err fwh_enumerate_all(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                          fwh_error *err)
{
	for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++) {
		fwh_log(FWH_LOG_INFO, transports[i]->name, "looking for devices");
		fws_err e = transports[i]->enumerate(found, unusable, user, err);
		if (e != FWS_OK) {
			fwh_log(FWH_LOG_INFO, transports[i]->name, "enumeration failed: %s",
			        err && err->msg[0] ? err->msg : fws_err_name(e));
			return e;
		}
	}
	return FWS_OK;
}

fws_err fwh_enumerate(fwh_found_cb found, void *user, fwh_error *err)
{
	return fwh_enumerate_all(found, NULL, user, err);
}

unsigned fwh_window(const fwh_link *l)
{
	return l->ops->post != NULL && l->ops->reap != NULL ? FWH_WINDOW_MAX : 1u;
}

fws_err fwh_post(fwh_link *l, fwh_request *req, fwh_error *err)
{
	if (l->ops->post != NULL && l->ops->reap != NULL)
		return l->ops->post(l, req, err);
	if (l->done != NULL)
		return fwh_error_set(err, FWS_E_INVAL, "Two requests in flight on a link that "
		                     "carries one; this is a bug, please report it.");
	/* the answer's error is reported by fwh_reap(), in order */
	l->done_err = l->ops->request(l, req, err);
	l->done = req;
	return FWS_OK;
}

fws_err fwh_reap(fwh_link *l, fwh_request **req, fwh_error *err)
{
	if (l->ops->post != NULL && l->ops->reap != NULL)
		return l->ops->reap(l, req, err);
	*req = l->done;
	l->done = NULL;
	if (*req == NULL)
		return fwh_error_set(err, FWS_E_INVAL, "No request in flight; this is a bug, "
		                     "please report it.");
	return l->done_err;
}
