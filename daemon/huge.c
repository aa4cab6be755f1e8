/*
 * Memory in transparent huge pages (see huge.h).
 */
#include <stdint.h>
#include <sys/mman.h>

#include "huge.h"

static uintptr_t
huge_down(uintptr_t a)
{
	return a & ~(uintptr_t)(HUGE_PAGE - 1);
}

static size_t
huge_round(size_t n)
{
	return (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

int
huge_advise(void *p, size_t n)
{
	uintptr_t	from, to;

	from = huge_down((uintptr_t)p + HUGE_PAGE - 1);
	to = huge_down((uintptr_t)p + n);
	if (to <= from)
		return 0;
	return madvise((void *)from, to - from, MADV_HUGEPAGE);
}

/*
 * n bytes (rounded up) mapped with prot and flags, aligned to a huge page
 * and marked for huge pages: a huge page more is mapped, and what is off
 * line given back.
 */
static void *
huge_place(size_t n, int prot, int flags)
{
	char		*p;
	uintptr_t	 at;
	size_t		 head;

	if (n == 0 || n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	n = huge_round(n);
	p = mmap(NULL, n + HUGE_PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS |
	    flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	at = huge_down((uintptr_t)p + HUGE_PAGE - 1);
	head = at - (uintptr_t)p;
	if (head > 0)
		(void)munmap(p, head);
	(void)munmap((char *)at + n, HUGE_PAGE - head);
	(void)huge_advise((void *)at, n);
	return (void *)at;
}

void *
huge_map(size_t n)
{
	return huge_place(n, PROT_READ | PROT_WRITE, 0);
}

/*
 * Inaccessible and not to be backed (MAP_NORESERVE) until opened: the
 * address space alone, not counted against the system's commit limit.
 */
void *
huge_reserve(size_t n)
{
	return huge_place(n, PROT_NONE, MAP_NORESERVE);
}

int
huge_open(void *p, size_t n)
{
	return mprotect(p, huge_round(n), PROT_READ | PROT_WRITE);
}

void
huge_unmap(void *p, size_t n)
{
	if (p != NULL)
		(void)munmap(p, huge_round(n));
}
