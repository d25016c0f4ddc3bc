/* SPDX-License-Identifier: Apache-2.0 */
/* access.c - why a device node cannot be opened, and the fix (access.h). */
#include "access.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A reentrant look-up's scratch space: what sysconf says, or 16 KiB. */
static size_t lookup_size(int name)
{
	long n = sysconf(name);
	return n > 0 && n < 1024 * 1024 ? (size_t)n : 16384u;
}

/* The name of this process's user (for the usermod command), or "". */
static void user_name(char *out, size_t cap, gid_t *primary)
{
	size_t n = lookup_size(_SC_GETPW_R_SIZE_MAX);
	char *buf = malloc(n);
	struct passwd pw, *res = NULL;
	out[0] = '\0';
	*primary = (gid_t)-1;
	if (buf && getpwuid_r(geteuid(), &pw, buf, n, &res) == 0 && res) {
		snprintf(out, cap, "%s", res->pw_name);
		*primary = res->pw_gid;
	}
	free(buf);
}

/* The group's name, and whether user is listed as a member. */
static bool group_of(gid_t gid, const char *user, char *name, size_t cap, bool *member)
{
	size_t n = lookup_size(_SC_GETGR_R_SIZE_MAX);
	char *buf = malloc(n);
	struct group gr, *res = NULL;
	bool ok = false;
	*member = false;
	name[0] = '\0';
	if (buf && getgrgid_r(gid, &gr, buf, n, &res) == 0 && res) {
		snprintf(name, cap, "%s", res->gr_name);
		for (char **m = res->gr_mem; m && *m && user[0]; m++)
			if (strcmp(*m, user) == 0)
				*member = true;
		ok = true;
	}
	free(buf);
	return ok;
}

/* Whether this process already has gid (effective or supplementary). */
static bool process_has_group(gid_t gid)
{
	if (getegid() == gid)
		return true;
	int n = getgroups(0, NULL);
	if (n <= 0)
		return false;
	gid_t *list = calloc((size_t)n, sizeof *list);
	bool has = false;
	if (list && (n = getgroups(n, list)) > 0)
		for (int i = 0; i < n; i++)
			has = has || list[i] == gid;
	free(list);
	return has;
}

void fwh_access_advise(const char *node, const char *what, int e, fwh_access_advice *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->node, sizeof out->node, "%s", node);
	if (e == EBUSY) {
		out->why = FWH_UNUSABLE_BUSY;
		out->fix_kind = FWH_FIX_CLOSE_OTHER;
		snprintf(out->message, sizeof out->message, "%s is in use by another program.",
		         what);
		snprintf(out->fix, sizeof out->fix, "Close the program that uses it (a serial "
		         "terminal, another fwseal), then try again.");
		return;
	}
	if (e != EACCES && e != EPERM) {
		out->why = FWH_UNUSABLE_OTHER;
		out->fix_kind = FWH_FIX_REPLUG;
		snprintf(out->message, sizeof out->message, "Cannot open %s (%s).", what,
		         strerror(e));
		snprintf(out->fix, sizeof out->fix, "Unplug it, plug it in again and try again.");
		return;
	}
	out->why = FWH_UNUSABLE_PERMISSION;
	char user[128];
	gid_t primary;
	user_name(user, sizeof user, &primary);
	snprintf(out->user, sizeof out->user, "%s", user);
	struct stat st;
	bool member = false;
	char group[64] = "";
	/* A group may open it when it has read and write; root's group is no
	 * group to join. */
	bool by_group = stat(node, &st) == 0 && (st.st_mode & (S_IRGRP | S_IWGRP)) ==
	                (S_IRGRP | S_IWGRP) && st.st_gid != 0 &&
	                group_of(st.st_gid, user, group, sizeof group, &member);
	if (by_group) {
		snprintf(out->group, sizeof out->group, "%s", group);
		member = member || primary == st.st_gid;
		if (member && !process_has_group(st.st_gid)) {
			out->fix_kind = FWH_FIX_LOG_IN_AGAIN;
			snprintf(out->message, sizeof out->message,
			         "No permission to open %s: you were added to the group '%s' that may "
			         "open it, but this session started before that.", what, group);
			snprintf(out->fix, sizeof out->fix, "Log out and back in (or run 'newgrp %s' "
			         "in this terminal).", group);
			return;
		}
		out->fix_kind = FWH_FIX_JOIN_GROUP;
		snprintf(out->message, sizeof out->message,
		         "No permission to open %s: only members of the group '%s' may open it.",
		         what, group);
		snprintf(out->command, sizeof out->command, "sudo usermod -aG %s %s", group,
		         user[0] ? user : "$USER");
		snprintf(out->fix, sizeof out->fix, "Add yourself to the group with '%s', then log "
		         "out and back in.", out->command);
		return;
	}
	out->fix_kind = FWH_FIX_UDEV_RULE;
	snprintf(out->message, sizeof out->message, "No permission to open %s.", what);
	snprintf(out->command, sizeof out->command, "sudo udevadm control --reload");
	snprintf(out->fix, sizeof out->fix, "Install fwseal's udev rule (" FWH_UDEV_RULES_FILE
	         ", put in place by 'meson install'), run '%s' and plug the device in again.",
	         out->command);
}

void fwh_access_unusable(const fwh_access_advice *advice, const char *device, fwh_unusable *u)
{
	u->device = device;
	u->why = advice->why;
	u->code = FWS_E_IO;
	u->message = advice->message;
	u->fix = advice->fix;
	u->command = advice->command;
	u->group = advice->group;
	u->fix_kind = advice->fix_kind;
	u->node = advice->node;
	u->user = advice->user;
}
