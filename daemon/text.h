/*
 * Text helpers shared by the record and CSV code: UTF-8 sequences, and
 * excerpts of untrusted values that are safe to put in a message.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

/*
 * Length of the UTF-8 sequence at s (at most avail bytes), 0 if it is not
 * one: overlong forms, surrogates and code points past U+10FFFF are not.
 */
size_t	 utf8_len(const unsigned char *s, size_t avail);
/*
 * The n bytes at v as they may appear in a message, in out: control
 * characters (tab too) and bytes that are not UTF-8 shown as '?', cut with
 * "..." to fit outlen, so that a message stays one line of valid UTF-8.
 */
void	 text_excerpt(const char *v, size_t n, char *out, size_t outlen);

/*
 * A growing NUL-terminated string (doubling, from 4 KiB).  Zeroed, it is
 * empty; once memory ran out it stays failed and takes no more.  Free it
 * with strbuf_free.
 */
struct strbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

void	 strbuf_add(struct strbuf *b, const char *s, size_t n);
void	 strbuf_puts(struct strbuf *b, const char *s);
/* At most 255 bytes a call; more fails b. */
void	 strbuf_printf(struct strbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 strbuf_free(struct strbuf *b);

#endif
