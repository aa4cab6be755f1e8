/*
 * UTF-8 and message excerpts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

size_t
utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 n, i;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (n > avail || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void
text_excerpt(const char *v, size_t n, char *out, size_t outlen)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 i = 0, j = 0, k;

	while (i < n) {
		k = s[i] < 0x20 || s[i] == 0x7f ? 0 : utf8_len(s + i, n - i);
		if (j + (k ? k : 1) + 4 > outlen)
			break;
		if (k == 0) {
			out[j++] = '?';
			i++;
		} else {
			memcpy(out + j, s + i, k);
			j += k;
			i += k;
		}
	}
	if (i < n) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 4096; cap < b->len + n + 1;
		    cap *= 2)
			;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[256];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		b->failed = 1;
	else
		strbuf_add(b, buf, (size_t)n);
}

void
strbuf_free(struct strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
