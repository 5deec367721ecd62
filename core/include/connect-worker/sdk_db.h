/*
 * connect-worker SDK: database connection URLs (see sdk.h for the conventions).
 *
 * connection.url as Kafka Connect's JDBC connectors take it, for plugins that talk to
 * databases (rds-source, jdbc-sink): jdbc:mysql://, jdbc:mariadb://, mysql://, mariadb://
 * and jdbc:postgresql://, postgresql://, postgres:// URLs, with the TLS and timeout
 * parameters of the JDBC drivers (MySQL Connector/J, MariaDB Connector/J, PgJDBC spellings).
 * Pure: no I/O, no global state; any thread. The MySQL/MariaDB session helper built on it
 * is sdk_db_mysql.h (a separate archive, since it needs MariaDB Connector/C).
 */
#ifndef CONNECT_WORKER_SDK_DB_H
#define CONNECT_WORKER_SDK_DB_H
#include <stddef.h>

typedef enum { CW_SDK_DB_MYSQL = 1, CW_SDK_DB_POSTGRES = 2 } cw_sdk_db_kind_t;

typedef struct cw_sdk_db_url {
    cw_sdk_db_kind_t kind;
    char *host;     /* "localhost" when absent */
    unsigned port;  /* 3306 (MySQL) or 5432 (PostgreSQL) when absent */
    char *database; /* NULL when absent */
    char *user;     /* from user@ or ?user=; NULL when absent */
    char *password; /* from user:pw@ or ?password=; secret, NULL when absent */
    /* TLS: MySQL Connector/J, MariaDB Connector/J and PgJDBC parameter names */
    int ssl_mode; /* CW_SDK_DB_SSL_* */
    char *ssl_ca; /* serverSslCert / sslCa / sslrootcert: a PEM file */
    unsigned connect_timeout_s, read_timeout_s; /* 0: library default */
} cw_sdk_db_url_t;

enum {
    CW_SDK_DB_SSL_DISABLED = 0,
    CW_SDK_DB_SSL_PREFERRED,
    CW_SDK_DB_SSL_REQUIRED,
    CW_SDK_DB_SSL_VERIFY_CA,
    CW_SDK_DB_SSL_VERIFY_IDENTITY
};

/* Parses `url` into *out (owned by the caller: free with cw_sdk_db_url_free, also after a
 * failure). Returns 0, or -1 with a message in errstr (which never contains the password;
 * the caller names the key, e.g. through validation_error). Unknown query parameters are
 * ignored.
 * connectTimeout / socketTimeout are milliseconds for MySQL URLs and seconds for PostgreSQL
 * URLs, as their JDBC drivers read them. */
int cw_sdk_db_url_parse(const char *url, cw_sdk_db_url_t *out, char *errstr, size_t errstr_size);
void cw_sdk_db_url_free(cw_sdk_db_url_t *u);
/* The kind of database a URL names, or 0 when it is none of these. */
cw_sdk_db_kind_t cw_sdk_db_url_kind(const char *url);
#endif
