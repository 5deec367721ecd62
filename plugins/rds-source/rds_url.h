/* connection.url parsing: jdbc:mysql://, jdbc:mariadb:// and mysql:// URLs. */
#ifndef RDS_URL_H
#define RDS_URL_H
#include <stddef.h>

typedef struct rds_url {
    char *host;        /* "localhost" when absent */
    unsigned port;     /* 3306 when absent */
    char *database;    /* NULL when absent */
    char *user;        /* from user@ or ?user=; NULL when absent */
    char *password;    /* from user:pw@ or ?password=; secret, NULL when absent */
    /* TLS (MySQL Connector/J and MariaDB Connector/J parameter names) */
    int ssl_mode;      /* RDS_SSL_* */
    char *ssl_ca;      /* serverSslCert / sslCa / sslrootcert: a PEM file */
    unsigned connect_timeout_s, read_timeout_s;  /* 0: library default */
} rds_url_t;

enum { RDS_SSL_DISABLED = 0, RDS_SSL_PREFERRED, RDS_SSL_REQUIRED, RDS_SSL_VERIFY_CA,
       RDS_SSL_VERIFY_IDENTITY };

/* Parses `url`. Returns 0, or -1 with a message in errstr (which never contains the
 * password). Free with rds_url_free. Unknown query parameters are ignored. */
int rds_url_parse(const char *url, rds_url_t *out, char *errstr, size_t errstr_size);
void rds_url_free(rds_url_t *u);
/* Is the URL one this plugin handles (so the JdbcSourceConnector alias applies)? */
int rds_url_is_mysql(const char *url);
#endif
