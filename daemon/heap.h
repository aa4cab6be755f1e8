/*
 * The heap during a bulk change (an import): grown in large steps, each
 * marked for transparent huge pages as soon as it appears.
 */
#ifndef HEAP_H
#define HEAP_H

/* Starts (on != 0) or ends a bulk change. */
void	heap_bulk(int on);
/*
 * Marks what the heap grew by since the last call for huge pages; called
 * every few milliseconds of a bulk change.  If the system refuses, it
 * says so in the debug log and does nothing until the next heap_bulk(1).
 */
void	heap_grown(void);

#endif
