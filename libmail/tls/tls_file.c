/* SPDX-License-Identifier: MIT */
/*
 * File identities for the reload check: a certificate, key or ticket key
 * file counts as replaced when its device, inode, size or modification
 * time differ from when it was loaded. Renaming a new file over the old
 * one (the safe way to replace it) always changes the inode.
 */
#include "tls/tls_impl.h"

#include <string.h>
#include <sys/stat.h>

bool
tls_file_id_get(const char *path, struct tls_file_id *id_out)
{
	struct stat sb;

	memset(id_out, 0, sizeof(*id_out));
	if (path == NULL || stat(path, &sb) != 0)
		return false;
	id_out->known = true;
	id_out->dev = sb.st_dev;
	id_out->ino = sb.st_ino;
	id_out->size = sb.st_size;
	id_out->mtime = sb.st_mtim;
	return true;
}

bool
tls_file_id_changed(const char *path, const struct tls_file_id *id)
{
	struct tls_file_id now;

	if (!tls_file_id_get(path, &now))
		return false;
	return !id->known || now.dev != id->dev || now.ino != id->ino ||
	    now.size != id->size || now.mtime.tv_sec != id->mtime.tv_sec ||
	    now.mtime.tv_nsec != id->mtime.tv_nsec;
}
