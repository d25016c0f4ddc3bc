/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msos20_read.c - what a libusb program reads of a device's Microsoft OS 2.0
 * descriptors, the way Windows asks for them (MS OS 2.0 Descriptors
 * Specification 3.4): the device descriptor's bcdUSB, the raw BOS
 * descriptor, libusb's own parse of it, then the vendor request that the
 * platform capability names, with its wLength. test_usb_msos20.c runs it on
 * the emulated device and checks every byte against the specification.
 *
 * Usage: msos20_read VID PID. Prints lines:
 *   bcdusb XXXX
 *   bos HEX
 *   libusb-caps N
 *   libusb-cap TYPE LEN HEX(capability data)
 *   set HEX                  (the vendor request's answer)
 *   alt-enum STALL|answered  (MS_OS_20_SET_ALT_ENUMERATION, wIndex 8)
 *   short HEX                (the set asked for with wLength 10)
 * Exit 0 when all requests went through, else 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

static void hex(const char *tag, const unsigned char *p, int n)
{
	printf("%s ", tag);
	for (int i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	uint16_t vid = (uint16_t)strtoul(argv[1], NULL, 16), pid = (uint16_t)strtoul(argv[2], NULL, 16);
	libusb_context *ctx = NULL;
	if (libusb_init(&ctx) != 0)
		return 1;
	libusb_device_handle *h = libusb_open_device_with_vid_pid(ctx, vid, pid);
	if (!h) {
		fprintf(stderr, "msos20_read: no device %04x:%04x\n", vid, pid);
		libusb_exit(ctx);
		return 1;
	}
	int rc = 1;
	struct libusb_device_descriptor dd;
	unsigned char buf[1024];
	if (libusb_get_device_descriptor(libusb_get_device(h), &dd) != 0)
		goto out;
	printf("bcdusb %04x\n", dd.bcdUSB);

	/* the raw BOS: its header first, then all of it (as a host does) */
	int n = libusb_get_descriptor(h, LIBUSB_DT_BOS, 0, buf, 5);
	if (n != 5) {
		fprintf(stderr, "msos20_read: BOS header: %s\n", libusb_error_name(n));
		goto out;
	}
	int total = buf[2] | buf[3] << 8;
	n = libusb_get_descriptor(h, LIBUSB_DT_BOS, 0, buf, total);
	if (n < 0)
		goto out;
	hex("bos", buf, n);

	/* libusb's parse of it */
	struct libusb_bos_descriptor *bos = NULL;
	if (libusb_get_bos_descriptor(h, &bos) != 0)
		goto out;
	printf("libusb-caps %u\n", bos->bNumDeviceCaps);
	uint8_t vendor_code = 0;
	uint16_t set_len = 0;
	for (unsigned i = 0; i < bos->bNumDeviceCaps; i++) {
		const struct libusb_bos_dev_capability_descriptor *c = bos->dev_capability[i];
		printf("libusb-cap %u %u ", c->bDevCapabilityType, c->bLength);
		hex("", c->dev_capability_data, c->bLength - 3);
		/* platform capability data: bReserved, UUID, then the MS OS 2.0 set
		 * information: dwWindowsVersion, wMSOSDescriptorSetTotalLength,
		 * bMS_VendorCode, bAltEnumCode */
		if (c->bDevCapabilityType == 0x05 && c->bLength == 28) {
			const uint8_t *d = c->dev_capability_data;
			set_len = (uint16_t)(d[21] | d[22] << 8);
			vendor_code = d[23];
		}
	}
	libusb_free_bos_descriptor(bos);
	if (!set_len)
		goto out;

	n = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR |
	                               LIBUSB_RECIPIENT_DEVICE,
	                            vendor_code, 0, 0x07, buf, set_len, 1000);
	if (n < 0) {
		fprintf(stderr, "msos20_read: descriptor set: %s\n", libusb_error_name(n));
		goto out;
	}
	hex("set", buf, n);
	n = libusb_control_transfer(h, 0xC0, vendor_code, 0, 0x08, buf, 0, 1000);
	printf("alt-enum %s\n", n == LIBUSB_ERROR_PIPE ? "STALL" : "answered");
	n = libusb_control_transfer(h, 0xC0, vendor_code, 0, 0x07, buf, 10, 1000);
	if (n < 0)
		goto out;
	hex("short", buf, n);
	rc = 0;
out:
	libusb_close(h);
	libusb_exit(ctx);
	return rc;
}
