/* Java SimpleDateFormat patterns (the common letters) for formatting and parsing UTC
 * timestamps: y M d H h m s S a E D Z X z and 'quoted text'. Pure logic, unit-tested. */
#ifndef TF_SIMPLEDATE_H
#define TF_SIMPLEDATE_H
#include <stddef.h>
#include <stdint.h>

typedef struct sdf_tok {
    char letter; /* 0 for literal text */
    int count;
    char *lit;
} sdf_tok_t;

typedef struct sdf {
    sdf_tok_t *tok;
    size_t n;
} sdf_t;

/** Compiles a pattern. Returns 0, or -1 with errstr naming the unsupported letter. */
int sdf_compile(const char *pattern, sdf_t *out, char *errstr, size_t n);
void sdf_free(sdf_t *f);
/** Formats milliseconds since the epoch in UTC. Returns 0, or -1 when buf is too small or
 *  the time is out of range. */
int sdf_format(const sdf_t *f, int64_t ms, char *buf, size_t size);
/** Parses the whole of text (no trailing characters). Returns 0, or -1 with errstr. */
int sdf_parse(const sdf_t *f, const char *text, int64_t *ms, char *errstr, size_t n);
#endif
