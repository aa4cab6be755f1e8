/*
 * The OCDS reader and mapper (daemon/ocds.c, ocds-map.c) on a file's
 * text: whole, and in pieces of 1 to 1021 bytes (the first byte chooses),
 * as the daemon is fed an import in chunks.  Both must read the same
 * releases, map the same rows and agree on whether the text is refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "ocds.h"

struct tally {
	size_t	rows;
	size_t	skipped;
};

static int
count_row(void *arg, const struct ocds_row *row)
{
	struct tally	*t = arg;

	if (row->c != NULL)
		t->rows++;
	else if (row->reason == NULL)
		abort();		/* a skipped row says why */
	else
		t->skipped++;
	return 0;
}

static int
feed(const char *text, size_t len, size_t step, struct tally *t,
    size_t *releases)
{
	struct ocds_reader	*o;
	char			 err[256];
	size_t			 off = 0, n;
	int			 rv;

	if ((o = ocds_reader_new(count_row, t)) == NULL)
		abort();
	do {
		n = len - off < step ? len - off : step;
		rv = ocds_feed(o, text + off, n, off + n == len, err,
		    sizeof(err));
		off += n;
	} while (rv == 0 && off < len);
	if (rv == -1 && err[0] == '\0')
		abort();		/* a refusal says why */
	*releases = ocds_releases(o);
	ocds_reader_free(o);
	return rv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally	 t1 = { 0, 0 }, t2 = { 0, 0 };
	const char	*text = (const char *)data + 1;
	size_t		 len, r1, r2;
	int		 rv1, rv2;

	if (size < 1)
		return 0;
	len = size - 1;
	rv1 = feed(text, len, len > 0 ? len : 1, &t1, &r1);
	rv2 = feed(text, len, (size_t)data[0] * 4 + 1, &t2, &r2);
	if (rv1 != rv2)
		abort();
	if (rv1 == 0 && (r1 != r2 || t1.rows != t2.rows ||
	    t1.skipped != t2.skipped))
		abort();
	return 0;
}
