/*
 * The heap during a bulk change: it grows in 64 MiB steps, and what it
 * grew by is marked for huge pages (VmFlags "hg" in /proc/self/smaps).
 * Under an allocator of its own (ASan, valgrind) the break does not move,
 * and the tests say so and skip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "heap.h"
#include "huge.h"

#define PIECE	(64 << 10)	/* below glibc's mmap threshold */
#define PIECES	2048	/* more than 64 MiB of them */
#define HUGE	((uintptr_t)2 << 20)

/* Whether the mapping holding addr has flag in its VmFlags. */
static int
vma_flag(uintptr_t addr, const char *flag)
{
	FILE		*f;
	char		 line[512], *p;
	unsigned long	 lo, hi;
	int		 in = 0, found = 0;

	if ((f = fopen("/proc/self/smaps", "r")) == NULL)
		fail_msg("/proc/self/smaps cannot be read");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = addr >= lo && addr < hi;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8) != 0)
			continue;
		for (p = strtok(line + 8, " \n"); p != NULL;
		    p = strtok(NULL, " \n"))
			found |= strcmp(p, flag) == 0;
		break;
	}
	fclose(f);
	return found;
}

/* Whether a mapping holds addr. */
static int
mapped(uintptr_t addr)
{
	FILE		*f;
	char		 line[512];
	unsigned long	 lo, hi;
	int		 found = 0;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		fail_msg("/proc/self/maps cannot be read");
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    addr >= lo && addr < hi;
	fclose(f);
	return found;
}

/* Allocates until the break has moved; how far it moved. */
static size_t
grow(void **v, size_t *n)
{
	char	*start = sbrk(0);

	for (*n = 0; *n < PIECES && (char *)sbrk(0) == start; (*n)++)
		if ((v[*n] = malloc(PIECE)) == NULL)
			fail_msg("out of memory");
	return (size_t)((char *)sbrk(0) - start);
}

static void
release(void **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
}

static uintptr_t
down(uintptr_t a)
{
	return a & ~(HUGE - 1);
}

static uintptr_t
up(uintptr_t a)
{
	return down(a + HUGE - 1);
}

/* Whether the kernel takes the hint at all (it may lack huge pages). */
static int
huge_supported(void)
{
	size_t	 n = (size_t)4 << 20;
	char	*p;
	int	 rc;

	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	assert_true(p != MAP_FAILED);
	rc = huge_advise(p, n);
	munmap(p, n);
	return rc == 0;
}

static void
test_bulk_grows_in_large_steps_marked_huge(void **state)
{
	void		*v[PIECES], *w[PIECES], *x[PIECES];
	size_t		 n, nw, nx;
	uintptr_t	 mark, end;

	(void)state;
	if (!huge_supported())
		skip();
	heap_bulk(1);
	mark = (uintptr_t)sbrk(0);
	if (grow(v, &n) == 0) {		/* not glibc's brk heap */
		heap_bulk(0);
		release(v, n);
		skip();
	}
	end = (uintptr_t)sbrk(0);
	assert_true(end - mark >= (size_t)64 << 20);
	assert_false(vma_flag(down(end) - 1, "hg"));
	assert_int_equal(heap_grown(), 0);
	/* The whole huge pages from the mark on, not the one holding it. */
	assert_true(vma_flag(up(mark), "hg"));
	assert_true(vma_flag(down(end) - 1, "hg"));
	if (mark != up(mark))
		assert_false(vma_flag(mark, "hg"));
	/* The part at the end is marked once it is whole. */
	if (end != down(end))
		assert_false(vma_flag(down(end), "hg"));
	assert_true(grow(w, &nw) > 0);
	assert_int_equal(heap_grown(), 0);
	assert_true(vma_flag(down(end), "hg"));
	assert_true(vma_flag(down((uintptr_t)sbrk(0)) - 1, "hg"));
	/* Given back, and grown again: marked from where it shrank to. */
	release(w, nw);
	release(v, n);
	malloc_trim(0);
	mark = (uintptr_t)sbrk(0);
	assert_true(mark < end);
	assert_int_equal(heap_grown(), 0);
	assert_true(grow(x, &nx) > 0);
	assert_int_equal(heap_grown(), 0);
	assert_true(vma_flag(up(mark), "hg"));
	heap_bulk(0);
	release(x, nx);
	malloc_trim(0);
}

/* After a bulk change: glibc's own steps, and nothing marked. */
static void
test_outside_a_bulk_change_nothing_is_marked(void **state)
{
	void	*v[PIECES];
	size_t	 n, moved;

	(void)state;
	heap_bulk(1);
	heap_bulk(0);
	moved = grow(v, &n);
	if (moved == 0) {
		release(v, n);
		skip();
	}
	assert_true(moved < (size_t)64 << 20);
	assert_int_equal(heap_grown(), 0);
	assert_false(vma_flag(down((uintptr_t)sbrk(0)) - 1, "hg"));
	release(v, n);
}

static void
test_huge_marks_whole_huge_pages(void **state)
{
	size_t		 n = (size_t)16 << 20;
	char		*p;
	uintptr_t	 from, to;

	(void)state;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	assert_true(p != MAP_FAILED);
	/* The whole huge pages of [p + 1, p + n - 1). */
	from = ((uintptr_t)p + 1 + HUGE - 1) & ~(HUGE - 1);
	to = ((uintptr_t)p + n - 1) & ~(HUGE - 1);
	/* Less than a whole huge page: nothing to ask for. */
	assert_int_equal(huge_advise((void *)(from + 1), HUGE - 2), 0);
	assert_false(vma_flag(from + 1, "hg"));
	assert_int_equal(huge_advise(p + 1, n - 2), 0);
	assert_false(vma_flag(from - 1, "hg"));
	assert_true(vma_flag(from, "hg"));
	assert_true(vma_flag(to - 1, "hg"));
	assert_false(vma_flag(to, "hg"));
	munmap(p, n);
}

/*
 * huge_map: whole huge pages, aligned, zeroed, writable, marked (where the
 * kernel has huge pages), and unmapped whole by huge_unmap.
 */
static void
test_huge_map(void **state)
{
	size_t		 n = HUGE + 1;
	unsigned char	*p;
	size_t		 i;

	(void)state;
	assert_null(huge_map(0));
	assert_null(huge_map(SIZE_MAX - HUGE));
	assert_non_null(p = huge_map(n));
	assert_int_equal((uintptr_t)p % HUGE, 0);
	for (i = 0; i < 2 * HUGE; i += 4096)
		assert_int_equal(p[i], 0);
	p[2 * HUGE - 1] = 1;		/* rounded up to two */
	if (huge_supported()) {
		assert_true(vma_flag((uintptr_t)p, "hg"));
		assert_true(vma_flag((uintptr_t)p + 2 * HUGE - 1, "hg"));
	}
	huge_unmap(p, n);
	assert_false(mapped((uintptr_t)p));
	assert_false(mapped((uintptr_t)p + 2 * HUGE - 1));
	huge_unmap(NULL, 0);
}

/* The permissions of the mapping holding addr ("rw-p"), or "". */
static const char *
perms(uintptr_t addr)
{
	static char	 p[8];
	FILE		*f;
	char		 line[512];
	unsigned long	 lo, hi;

	p[0] = '\0';
	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		fail_msg("/proc/self/maps cannot be read");
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 &&
		    addr >= lo && addr < hi)
			break;
		else
			p[0] = '\0';
	fclose(f);
	return p;
}

/*
 * huge_reserve: aligned room, none of it usable until huge_open opens
 * whole huge pages of it, zeroed; what was written stays as it grows.
 */
static void
test_huge_reserve(void **state)
{
	unsigned char	*p;

	(void)state;
	assert_non_null(p = huge_reserve(3 * HUGE - 5));
	assert_int_equal((uintptr_t)p % HUGE, 0);
	assert_string_equal(perms((uintptr_t)p), "---p");
	assert_string_equal(perms((uintptr_t)p + 3 * HUGE - 1), "---p");
	assert_int_equal(huge_open(p, 1), 0);
	assert_string_equal(perms((uintptr_t)p + HUGE - 1), "rw-p");
	assert_string_equal(perms((uintptr_t)p + HUGE), "---p");
	assert_int_equal(p[HUGE - 1], 0);
	p[0] = 7;
	assert_int_equal(huge_open(p, HUGE + 1), 0);
	assert_string_equal(perms((uintptr_t)p + 2 * HUGE - 1), "rw-p");
	assert_string_equal(perms((uintptr_t)p + 2 * HUGE), "---p");
	assert_int_equal(p[0], 7);
	assert_int_equal(p[2 * HUGE - 1], 0);
	if (huge_supported())
		assert_true(vma_flag((uintptr_t)p + HUGE, "hg"));
	huge_unmap(p, 3 * HUGE - 5);
	assert_false(mapped((uintptr_t)p + 3 * HUGE - 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_grows_in_large_steps_marked_huge),
		cmocka_unit_test(test_outside_a_bulk_change_nothing_is_marked),
		cmocka_unit_test(test_huge_marks_whole_huge_pages),
		cmocka_unit_test(test_huge_map),
		cmocka_unit_test(test_huge_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
