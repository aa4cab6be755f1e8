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

/* Maps a huge page more than asked, and gives back what is off line. */
void *
huge_map(size_t n)
{
	char		*p;
	uintptr_t	 at;
	size_t		 head;

	if (n == 0 || n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	n = huge_round(n);
	p = mmap(NULL, n + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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

/* Room for n bytes, none of it usable yet: huge_open opens it. */
void *
huge_reserve(size_t n)
{
	char	*p;

	if ((p = huge_map(n)) != NULL &&
	    mprotect(p, huge_round(n), PROT_NONE) == -1) {
		huge_unmap(p, n);
		return NULL;
	}
	return p;
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
