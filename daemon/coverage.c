/*
 * Coverage answers remembered for one query (see coverage.h): each
 * service and day is asked of the database once, for up to two covering
 * contracts, which tell whether one other than any given contract covers.
 */
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "coverage.h"
#include "store.h"

struct cover {
	char		*svc;		/* NULL: a free slot */
	int32_t		 day;
	uint32_t	 hash;
	int		 n;		/* covering contracts found, 0-2 */
	char		 refs[2][CONTRACT_REF_MAX + 1];
};

struct coverage {
	struct store	*st;
	struct cover	*v;
	size_t		 size;		/* a power of two */
	size_t		 used;
};

struct coverage *
coverage_new(struct store *st)
{
	struct coverage	*cov;

	if ((cov = calloc(1, sizeof(*cov))) == NULL)
		return NULL;
	cov->st = st;
	return cov;
}

void
coverage_free(struct coverage *cov)
{
	size_t	 i;

	if (cov == NULL)
		return;
	for (i = 0; i < cov->size; i++)
		free(cov->v[i].svc);
	free(cov->v);
	free(cov);
}

static uint32_t
cover_hash(const char *svc, int32_t day)
{
	uint32_t	 h = 2166136261u ^ (uint32_t)day;	/* FNV-1a */

	while (*svc != '\0')
		h = (h ^ (unsigned char)*svc++) * 16777619u;
	return h;
}

/* The slot holding (svc, day), or the free one where it goes. */
static struct cover *
cover_slot(struct cover *v, size_t size, const char *svc, int32_t day,
    uint32_t hash)
{
	size_t	 i;

	for (i = hash & (size - 1); v[i].svc != NULL; i = (i + 1) & (size - 1))
		if (v[i].hash == hash && v[i].day == day &&
		    strcmp(v[i].svc, svc) == 0)
			break;
	return &v[i];
}

/* Keeps the table at most half full. */
static int
cover_grow(struct coverage *cov)
{
	struct cover	*v, *w;
	size_t		 size, i;

	if ((cov->used + 1) * 2 <= cov->size)
		return 0;
	size = cov->size ? cov->size * 2 : 256;
	if ((v = calloc(size, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < cov->size; i++) {
		if (cov->v[i].svc == NULL)
			continue;
		w = cover_slot(v, size, cov->v[i].svc, cov->v[i].day,
		    cov->v[i].hash);
		*w = cov->v[i];
	}
	free(cov->v);
	cov->v = v;
	cov->size = size;
	return 0;
}

static int
cover_answer(const struct cover *c, const char *ref)
{
	return store_other_covers(c->refs, c->n, ref);
}

int
coverage_covered(void *arg, const char *svc, int32_t day, const char *ref)
{
	struct coverage	*cov = arg;
	struct cover	 fresh, *c;
	uint32_t	 hash = cover_hash(svc, day);

	if (cov->size > 0) {
		c = cover_slot(cov->v, cov->size, svc, day, hash);
		if (c->svc != NULL)
			return cover_answer(c, ref);
	}
	memset(&fresh, 0, sizeof(fresh));
	if ((fresh.n = store_covering(cov->st, svc, day, fresh.refs)) < 0)
		return 0;
	/* Without memory the answer is still right, only not kept. */
	if (cover_grow(cov) == 0 && (fresh.svc = strdup(svc)) != NULL) {
		fresh.day = day;
		fresh.hash = hash;
		*cover_slot(cov->v, cov->size, svc, day, hash) = fresh;
		cov->used++;
	}
	return cover_answer(&fresh, ref);
}
