/* SPDX-License-Identifier: MIT */
/* Fuzz the main.cf reader, $name expansion and typed conversion. */
#include <stdint.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *conf = conf_new();
	struct buf unknown;

	buf_init(&unknown);
	if (conf_read_text(conf, (const char *)data, size, "main.cf", NULL) ==
	    0)
		(void)conf_finish(conf, &unknown, NULL);
	buf_deinit(&unknown);
	conf_free(&conf);
	return 0;
}
