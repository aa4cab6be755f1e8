/*
 * The holidays file reader (daemon/dates.c) on a file's text, which the
 * daemon reads whole and ends with a NUL (config.c).  What it accepts
 * must be sorted and free of repeats, since date_is_working searches it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct holidays	 h;
	char		*text;
	size_t		 i;
	int		 line = -1;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (holidays_parse(&h, text, &line) == 0) {
		for (i = 1; i < h.n; i++)
			if (h.days[i - 1] >= h.days[i])
				abort();
		for (i = 0; i < h.n; i++)
			if (date_is_working(h.days[i], &h) ||
			    date_is_working(date_next_working(h.days[i], &h),
			    &h) == 0)
				abort();
		holidays_free(&h);
	} else if (line < 1 || h.days != NULL || h.n != 0)
		abort();
	free(text);
	return 0;
}
