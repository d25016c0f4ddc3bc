/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/choose.h - one release, several packages (full, compressed,
 * delta): which one to send to a given device. `fwseal flash A B C`.
 */
#ifndef FWSEAL_HOST_CHOOSE_H
#define FWSEAL_HOST_CHOOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "fwseal/devinfo.h"
#include "fwseal-host/error.h"
#include "fwseal-host/package.h"

/* All packages carry the same release: model, vendor and class id,
 * component, version, security counter and the same image (SHA-256). On
 * FWS_E_INVAL *bad is the first that differs from pkgs[0]. */
fws_err fwh_same_release(const fwh_package *const *pkgs, size_t n, size_t *bad, fwh_error *err);

/* The package to send: one whose interrupted download the device can
 * resume (continuing costs least), else the smallest stream the device
 * accepts (fwh_preflight).
 * If none is accepted: the refusal of the full package if there is one
 * (it is the reason that holds for all of them), else of the smallest. */
fws_err fwh_choose(const fwh_package *const *pkgs, size_t n, const fws_devinfo *dev,
                   size_t *pick, fwh_error *err);

#endif /* FWSEAL_HOST_CHOOSE_H */
