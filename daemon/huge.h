/*
 * Memory in transparent huge pages, for large blocks that several threads
 * fill and read: a page fault, and a thread's first touch of a page, cost
 * a trap to the host on the virtual machines this runs on, once a 4 KiB
 * page or once a 2 MiB one.  Asking is a hint: the kernel's policy
 * (/sys/kernel/mm/transparent_hugepage) decides, and the memory is usable
 * either way.
 */
#ifndef HUGE_H
#define HUGE_H

#include <stddef.h>

#define HUGE_PAGE	((size_t)2 << 20)	/* as on x86-64 and arm64 */

/*
 * Asks for huge pages for the whole huge pages within the n bytes at p;
 * -1 if the system refuses.
 */
int	 huge_advise(void *p, size_t n);
/*
 * n bytes (rounded up to whole huge pages) of zeroed memory aligned to a
 * huge page, asked to be in huge pages; NULL if out of memory.  Freed
 * with huge_unmap and the same n.
 */
void	*huge_map(size_t n);
/*
 * Room for an array that grows: n bytes of address space aligned like
 * huge_map's, none of it usable (nor counted as memory) until opened;
 * NULL if there is no room.  huge_open makes the first n bytes of it
 * (rounded up to whole huge pages) usable, zeroed where new: 0, or -1 if
 * out of memory.  Freed with huge_unmap and the reserved n.
 */
void	*huge_reserve(size_t n);
int	 huge_open(void *p, size_t n);
void	 huge_unmap(void *p, size_t n);

#endif
