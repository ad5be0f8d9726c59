/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the IMAP <-> Maildir++ folder name conversion (store/mbox_folder.c):
 * every name accepted must convert back, and again to the same folder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/mbox_folder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *imap = xstrndup((const char *)data, size);
	struct buf f, back, again;
	struct err err;

	buf_init(&f);
	buf_init(&back);
	buf_init(&again);
	if (mbox_folder_from_imap(imap, &f, &err) == 0 &&
	    (mbox_folder_to_imap(f.data, &back) < 0 ||
	        mbox_folder_from_imap(back.data, &again, &err) < 0 ||
	        strcmp(f.data, again.data) != 0))
		abort();
	buf_reset(&back);
	(void)mbox_folder_to_imap(imap, &back);
	buf_deinit(&f);
	buf_deinit(&back);
	buf_deinit(&again);
	free(imap);
	return 0;
}
