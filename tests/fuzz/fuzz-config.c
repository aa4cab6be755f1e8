/*
 * The configuration reader on a file's text, through config_load as
 * `contractd -t` calls it (daemon/main.c): the text is put in a memory
 * file, read by its /proc/self/fd path.  Whatever the text, it must give
 * a config or at least one error, each "file:line: message" or
 * "file: message", and leave nothing allocated.  A holidays file the text
 * names is read as the daemon reads it (run.sh gives the runs no input).
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contractd.h"

static int	 fd = -1;
static char	 path[64];

static void
put_text(const uint8_t *data, size_t size)
{
	if (fd == -1) {
		if ((fd = memfd_create("fuzz-config", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*conf;
	size_t			 i;

	put_text(data, size);
	conf = config_load(path, &errs);
	if ((conf == NULL) == (errs.n == 0))
		abort();
	for (i = 0; i < errs.n; i++)
		if (strstr(errs.msg[i], ": ") == NULL)
			abort();
	config_free(conf);
	conf_errors_free(&errs);
	return 0;
}
