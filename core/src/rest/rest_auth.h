/* Basic authentication as Kafka's BasicAuthSecurityRestExtension with its
 * PropertyFileLoginModule: a .properties file of user=password lines, read once. An empty
 * file lets every request through (Kafka does the same, and warns). Passwords are never
 * logged, and compared in constant time. */
#ifndef CW_REST_AUTH_H
#define CW_REST_AUTH_H
#include <stddef.h>

typedef struct cw_rest_auth cw_rest_auth_t;

/** Reads the credentials file. NULL with errstr naming the file when it cannot be read. */
cw_rest_auth_t *cw_rest_auth_new(const char *file, char *errstr, size_t errstr_size);
void cw_rest_auth_free(cw_rest_auth_t *a);

/** Does the Authorization header (NULL when absent) carry valid Basic credentials? 1 or 0.
 *  Thread-safe (the table is read-only after cw_rest_auth_new). */
int cw_rest_auth_check(const cw_rest_auth_t *a, const char *authorization);
#endif
