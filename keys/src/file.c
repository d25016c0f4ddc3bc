/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file.c - atomic file writes and small file reads.
 *
 * A key or trust file is either complete or absent: data goes to a temp file
 * created with O_EXCL in the target's folder, is fsync'ed, then renamed over
 * the target (or hard-linked to it when the target must not be replaced: link()
 * fails with EEXIST atomically, so two concurrent generators cannot both win).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "keys_int.h"

static void fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd); /* best effort: makes the rename durable */
		close(fd);
	}
	free(copy);
}

fws_key_err fws_file_write_atomic(const char *path, const void *data, size_t len,
                                  unsigned mode, bool no_replace, fws_key_msg *msg)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp)
		return fws_key_fail(msg, FWS_KEY_E_IO, "Out of memory writing %s.", path);
	snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);

	if (no_replace && access(path, F_OK) == 0) {
		free(tmp);
		return fws_key_fail(msg, FWS_KEY_E_EXISTS,
		                    "%s already exists. Choose another name or move the old file away first.",
		                    path);
	}
	int fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		fws_key_err e = fws_key_fail(msg, FWS_KEY_E_IO,
		                             "Cannot create a file next to %s (%s). Check that the folder exists and is writable.",
		                             path, strerror(errno));
		free(tmp);
		return e;
	}
	const uint8_t *p = data;
	size_t left = len;
	int err = 0;
	if (fchmod(fd, (mode_t)mode) != 0)
		err = errno;
	while (!err && left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		unlink(tmp);
		free(tmp);
		return fws_key_fail(msg, FWS_KEY_E_IO, "Cannot write %s (%s). Check free space and permissions.",
		                    path, strerror(err));
	}
	fws_key_err ret = FWS_KEY_OK;
	if (no_replace) {
		if (link(tmp, path) != 0) {
			int e = errno;
			ret = e == EEXIST
			          ? fws_key_fail(msg, FWS_KEY_E_EXISTS,
			                         "%s already exists. Choose another name or move the old file away first.",
			                         path)
			          : fws_key_fail(msg, FWS_KEY_E_IO, "Cannot create %s (%s). Check permissions.",
			                         path, strerror(e));
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		ret = fws_key_fail(msg, FWS_KEY_E_IO, "Cannot replace %s (%s). Check permissions.", path,
		                   strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	if (ret == FWS_KEY_OK)
		fsync_dir_of(path);
	return ret;
}

fws_key_err fws_file_read_small(const char *path, size_t max, char **out, size_t *len,
                                fws_key_msg *msg)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fws_key_fail(msg, FWS_KEY_E_IO, "Cannot open %s (%s). Check the path.", path,
		                    strerror(errno));
	char *buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return fws_key_fail(msg, FWS_KEY_E_IO, "Out of memory reading %s.", path);
	}
	size_t n = fread(buf, 1, max + 1, f);
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(buf);
		return fws_key_fail(msg, FWS_KEY_E_IO, "Cannot read %s. Check the file.", path);
	}
	if (n > max) {
		free(buf);
		return fws_key_fail(msg, FWS_KEY_E_FORMAT, "%s is larger than %zu bytes. Check that it is the right file.",
		                    path, max);
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return FWS_KEY_OK;
}

/* ---------------------------------------------------------------------- */
/* Secrets: private keys, passphrases and PINs. Read with read(2) into a   */
/* buffer of known size, never through stdio (whose buffer would keep a    */
/* copy that nobody wipes), and wiped whole on every path.                 */

void fws_secret_wipe_free(void *p, size_t cap)
{
	if (!p)
		return;
	mbedtls_platform_zeroize(p, cap);
	free(p);
}

fws_key_err fws_secret_read(const char *path, size_t max, bool private, char **out,
                            size_t *len, fws_key_msg *msg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fws_key_fail(msg, FWS_KEY_E_IO, "Cannot open %s (%s). Check the path.", path,
		                    strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fws_key_fail(msg, FWS_KEY_E_IO, "%s is not a regular file. Check the path.", path);
	}
	if (private && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		close(fd);
		return fws_key_fail(msg, FWS_KEY_E_EXPOSED,
		                    "The private key %s can be read or changed by other users (mode %04o). "
		                    "Make it readable by its owner only with 'chmod 600 %s', then try again.",
		                    path, (unsigned)(st.st_mode & 07777), path);
	}
	char *buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return fws_key_fail(msg, FWS_KEY_E_IO, "Out of memory reading %s.", path);
	}
	size_t n = 0;
	int rerr = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rerr = errno;
		if (r <= 0 || (n += (size_t)r) > max)
			break;
	}
	close(fd);
	if (rerr || n > max) {
		fws_secret_wipe_free(buf, max + 1);
		if (rerr)
			return fws_key_fail(msg, FWS_KEY_E_IO, "Cannot read %s (%s). Check the file.", path,
			                    strerror(rerr));
		return fws_key_fail(msg, FWS_KEY_E_FORMAT,
		                    "%s is larger than %zu bytes. Check that it is the right file.", path,
		                    max);
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return FWS_KEY_OK;
}

fws_key_err fws_secret_file_read(const char *path, char **out, fws_key_msg *msg)
{
	char *buf;
	fws_key_err e = fws_secret_read(path, FWS_SECRET_MAX, false, &buf, NULL, msg);
	if (e)
		return e;
	/* the first line only; the bytes after it stay in the buffer until
	 * fws_secret_free wipes all of it */
	buf[strcspn(buf, "\r\n")] = '\0';
	*out = buf;
	return FWS_KEY_OK;
}

void fws_secret_free(char *secret)
{
	fws_secret_wipe_free(secret, FWS_SECRET_MAX + 1);
}
