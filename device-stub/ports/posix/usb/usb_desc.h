/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_desc.h - the emulated device's USB descriptors, built from data.
 *
 * A device model (struct fws_usb_model) says what the device is: ids, strings,
 * the DFU interface (alt settings, functional descriptor) and optionally a HID
 * interface. fws_usb_desc_build() turns it into the exact bytes a real device
 * would answer to GET_DESCRIPTOR, so the emulation, the sysfs "descriptors"
 * attribute and the tests all use one source. Pure C, no allocation.
 *
 * The device is USB 2.1 (bcdUSB 0x0210) so that hosts read its Binary Object
 * Store (USB 3.2 9.6.2, USB 2.0 LPM ECN): one platform capability, the
 * Microsoft OS 2.0 descriptor set information (MS OS 2.0 Descriptors
 * Specification, July 2018, 3.3), which makes Windows 8.1 and later ask for
 * the descriptor set with a vendor request and bind WinUSB to the DFU
 * interface without a driver package (docs/usb.md).
 *
 * Layout of the one configuration (USB 2.0 9.6.3):
 *   configuration (iConfiguration = FWS_USB_CONFIG_STRING, the udev rule's mark)
 *   interface 0 alt 0..n-1: class 0xFE/0x01/0x02 (DFU 1.1 4.2.3), each followed
 *                           by the DFU functional descriptor (DFU 1.1 4.2.4)
 *   interface 1 (if hid):   class 0x03, HID descriptor (HID 1.11 6.2.1),
 *                           interrupt IN 0x81 and OUT 0x01
 */
#ifndef FWS_USB_DESC_H
#define FWS_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWS_USB_CONFIG_STRING "fwseal"   /* data/udev/70-fwseal.rules matches it */
#define FWS_USB_DFU_ALT_MAX   4u
#define FWS_USB_STRING_MAX    64u        /* characters per string descriptor */
#define FWS_USB_HID_REPORT    64u        /* bytes per HID report (full speed) */
#define FWS_USB_EP0_SIZE      64u
#define FWS_USB_HID_EP_IN     0x81u
#define FWS_USB_HID_EP_OUT    0x01u
#define FWS_USB_DFU_INTF      0u
#define FWS_USB_HID_INTF      1u
#define FWS_USB_DESC_MAX      256u       /* device + configuration descriptors */
#define FWS_USB_BCD_USB       0x0210u    /* USB 2.1: the host reads the BOS */

/* Microsoft OS 2.0 descriptors (MS OS 2.0 Descriptors Specification). */
#define FWS_USB_MSOS20_VENDOR_CODE  0x20u  /* bMS_VendorCode: bRequest of the
                                              vendor request for the set */
#define FWS_USB_MSOS20_INDEX        0x07u  /* wIndex MS_OS_20_DESCRIPTOR_INDEX */
#define FWS_USB_MSOS20_WIN_8_1      0x06030000u /* dwWindowsVersion: 8.1 and later */
/* DeviceInterfaceGUIDs of the DFU interface under WinUSB: how a Windows
 * program (libusb included) finds fwseal devices. Fixed for ever. */
#define FWS_USB_DFU_INTERFACE_GUID  "{21D34BFA-156F-4D22-8F34-10AF45947A58}"
#define FWS_USB_BOS_MAX             64u
#define FWS_USB_MSOS20_MAX          256u

struct fws_usb_model {
	uint16_t vid, pid, bcd_device;
	const char *manufacturer;   /* string descriptors (ASCII) */
	const char *product;        /* the model designation */
	const char *serial;
	/* DFU functional descriptor (DFU 1.1 4.2.4, table 4.2) */
	uint8_t dfu_attributes;     /* FWS_DFU_ATTR_* */
	uint16_t dfu_detach_timeout_ms;
	uint16_t dfu_transfer_size; /* wTransferSize: max bytes per DNLOAD/UPLOAD */
	const char *dfu_alt_names[FWS_USB_DFU_ALT_MAX];
	uint8_t dfu_alt_count;      /* 1..FWS_USB_DFU_ALT_MAX */
	bool dfu_runtime;           /* runtime mode (protocol 1, DFU 1.1 4.1.1):
	                               the application runs; DFU_DETACH + reset
	                               bring the device into DFU mode */
	bool hid;                   /* add the HID interface */
	const char *hid_name;
};

/* String descriptor indexes (0 is the language id list). */
enum fws_usb_string {
	FWS_USB_STR_LANGID = 0,
	FWS_USB_STR_MANUFACTURER = 1,
	FWS_USB_STR_PRODUCT = 2,
	FWS_USB_STR_SERIAL = 3,
	FWS_USB_STR_CONFIG = 4,
	FWS_USB_STR_HID = 5,
	FWS_USB_STR_DFU_ALT0 = 6,   /* 6 + alt */
};

/* The HID report descriptor: vendor page 0xFF00, one 64-byte input and one
 * 64-byte output report without report id. */
extern const uint8_t fws_usb_hid_report_desc[];
extern const size_t fws_usb_hid_report_desc_len;

/* Device descriptor (18 bytes) followed by the configuration descriptor, as in
 * sysfs "descriptors". Returns the length, or 0 if the model is invalid or
 * does not fit cap. *config_off receives the offset of the configuration. */
size_t fws_usb_desc_build(const struct fws_usb_model *m, uint8_t *out, size_t cap,
                          size_t *config_off);

/* The BOS descriptor with its capabilities (USB 3.2 9.6.2): the MS OS 2.0
 * platform capability. Returns the length, or 0 if it does not fit cap. */
size_t fws_usb_desc_bos(const struct fws_usb_model *m, uint8_t *out, size_t cap);

/* The MS OS 2.0 descriptor set the vendor request (bMS_VendorCode, wIndex
 * MS_OS_20_DESCRIPTOR_INDEX) returns: set header; with the HID interface (a
 * composite device) a configuration subset with one function subset for
 * the DFU interface; the WINUSB compatible id and the DeviceInterfaceGUIDs
 * registry property for it. The HID interface gets no WinUSB: Windows binds
 * its own HID driver to it, which hidapi uses. Returns the length, or 0 if
 * the model is invalid or it does not fit cap. */
size_t fws_usb_desc_msos20(const struct fws_usb_model *m, uint8_t *out, size_t cap);

/* String descriptor idx as UTF-16LE (USB 2.0 9.6.7). Returns its length, or 0
 * if there is no such string. */
size_t fws_usb_desc_string(const struct fws_usb_model *m, uint8_t idx, uint8_t *out,
                           size_t cap);

#endif /* FWS_USB_DESC_H */
