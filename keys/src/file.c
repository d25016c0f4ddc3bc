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

fws_key_err fws_secret_file_read(const char *path, char **out, fws_key_msg *msg)
{
	char *buf;
	fws_key_err e = fws_file_read_small(path, 1024, &buf, NULL, msg);
	if (e)
		return e;
	buf[strcspn(buf, "\r\n")] = '\0';
	*out = buf;
	return FWS_KEY_OK;
}
