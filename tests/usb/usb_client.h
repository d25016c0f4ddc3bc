/* SPDX-License-Identifier: Apache-2.0 */
/* usb_client.h - the host side of test_usb_e2e (see usb_client.c). */
#ifndef FWSEAL_TEST_USB_CLIENT_H
#define FWSEAL_TEST_USB_CLIENT_H

/* argv: DEVICE TRUST ACTION ARGS... (after "--client"); returns the exit code. */
int usb_client_main(int argc, char **argv);

#endif
