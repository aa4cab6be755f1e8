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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "heap.h"

#define PIECE	(64 << 10)	/* below glibc's mmap threshold */
#define PIECES	256

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

static void
test_bulk_grows_in_large_steps_marked_huge(void **state)
{
	void	*v[PIECES];
	size_t	 n, moved;

	(void)state;
	heap_bulk(1);
	moved = grow(v, &n);
	if (moved == 0) {
		heap_bulk(0);
		release(v, n);
		skip();
	}
	assert_true(moved >= (size_t)64 << 20);
	assert_false(vma_flag((uintptr_t)sbrk(0) - 1, "hg"));
	heap_grown();
	assert_true(vma_flag((uintptr_t)sbrk(0) - 1, "hg"));
	heap_bulk(0);
	release(v, n);
}

static void
test_outside_a_bulk_change_nothing_is_marked(void **state)
{
	void	*v[PIECES];
	size_t	 n, moved;

	(void)state;
	heap_bulk(0);
	moved = grow(v, &n);
	if (moved == 0) {
		release(v, n);
		skip();
	}
	assert_true(moved < (size_t)64 << 20);
	heap_grown();
	assert_false(vma_flag((uintptr_t)sbrk(0) - 1, "hg"));
	release(v, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outside_a_bulk_change_nothing_is_marked),
		cmocka_unit_test(test_bulk_grows_in_large_steps_marked_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
