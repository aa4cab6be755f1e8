/*
 * Memory in transparent huge pages: large arrays, and the heap during a
 * bulk change (an import), which grows in large steps, each marked as
 * soon as it appears.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>

/*
 * Asks for huge pages for the whole 2 MiB pages within the n bytes at p;
 * -1 if the system refuses (a hint: the memory is usable either way).
 */
int	heap_huge(void *p, size_t n);
/* Starts (on != 0) or ends a bulk change. */
void	heap_bulk(int on);
/*
 * Marks what the heap grew by since the last call for huge pages; called
 * every thousand rows or so of a bulk change.  -1 (once, and said in the
 * debug log) if the system refuses, after which it does nothing until
 * the next heap_bulk(1).
 */
int	heap_grown(void);

#endif
