/*
 * The heap during a bulk change (an import), in transparent huge pages
 * (huge.h): it grows in large steps, each marked as soon as it appears.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>

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
