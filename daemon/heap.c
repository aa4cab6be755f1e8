/*
 * An import of a million contracts grows the heap by a gigabyte, most of
 * it SQLite's pages of the transaction.  Faulted in 4 KiB at a time, that
 * is a trap per page, which on virtual machines that trap page faults to
 * the host (as the machines this runs on do) costs more than SQLite's own
 * work for the page: 15 us, some 3 s of a million contracts' import.  In
 * transparent huge pages, it is a fault per 2 MiB.
 *
 * So during a bulk change the main heap grows in steps of 64 MiB, and the
 * caller marks each step for huge pages with heap_grown() soon after it
 * appears, before most of it is touched.  Marking a range only asks: the
 * kernel's policy (/sys/kernel/mm/transparent_hugepage) decides, and the
 * heap's contents are unchanged.  glibc grows its main heap with brk;
 * memory from elsewhere (other threads' arenas, mmap) is left as it is.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap.h"
#include "log.h"

#define HEAP_BULK_PAD	(64 << 20)
#define HEAP_PAD	(128 << 10)	/* glibc's M_TOP_PAD by default */
#define HEAP_HUGE	((uintptr_t)2 << 20)

static uintptr_t	heap_mark;	/* the break last marked from; 0: off */

void
heap_bulk(int on)
{
	(void)mallopt(M_TOP_PAD, on ? HEAP_BULK_PAD : HEAP_PAD);
	heap_mark = on ? (uintptr_t)sbrk(0) : 0;
}

void
heap_grown(void)
{
	uintptr_t	brk, from;

	if (heap_mark == 0)
		return;
	brk = (uintptr_t)sbrk(0);
	/* Whole huge pages of what is new; the break may also shrink. */
	from = (heap_mark + HEAP_HUGE - 1) & ~(HEAP_HUGE - 1);
	if (brk > from && madvise((void *)from, brk - from,
	    MADV_HUGEPAGE) == -1) {
		log_debug("%s: no huge pages: %s", __func__, strerror(errno));
		heap_mark = 0;
		return;
	}
	heap_mark = brk;
}
