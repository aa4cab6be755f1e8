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
 *
 * Setting M_TOP_PAD has a lasting side effect: glibc stops adjusting its
 * mmap threshold to the blocks freed (it stays at 128 KiB), so larger
 * blocks are mapped and unmapped each time rather than kept in the heap.
 * The agenda's answers at a million contracts (5 MB) take as long either
 * way on the machines measured.  After a bulk change the pad is glibc's
 * default again, not what MALLOC_TOP_PAD_ may have asked for.
 *
 * A huge page is taken to be 2 MiB (huge.h).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "huge.h"
#include "log.h"

#define HEAP_BULK_PAD	(64 << 20)
#define HEAP_PAD	(128 << 10)	/* glibc's M_TOP_PAD by default */

static uintptr_t	heap_mark;	/* the break last marked from; 0: off */

void
heap_bulk(int on)
{
	(void)mallopt(M_TOP_PAD, on ? HEAP_BULK_PAD : HEAP_PAD);
	heap_mark = on ? (uintptr_t)sbrk(0) : 0;
}

int
heap_grown(void)
{
	uintptr_t	brk, whole;

	if (heap_mark == 0)
		return 0;
	brk = (uintptr_t)sbrk(0);
	if (brk <= heap_mark) {		/* it shrank */
		heap_mark = brk;
		return 0;
	}
	if (huge_advise((void *)heap_mark, brk - heap_mark) == -1) {
		log_debug("%s: no huge pages: %s", __func__, strerror(errno));
		heap_mark = 0;
		return -1;
	}
	/* The part of a huge page at the end is marked when it is whole. */
	whole = brk & ~(uintptr_t)(HUGE_PAGE - 1);
	heap_mark = whole > heap_mark ? whole : heap_mark;
	return 0;
}
