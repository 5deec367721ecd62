/* connection.url parsing shared by the database plugins (rds-source, jdbc-sink):
 * jdbc:mysql://, jdbc:mariadb://, mysql://, mariadb:// and jdbc:postgresql://,
 * postgresql://, postgres:// URLs, with the TLS parameters of the JDBC drivers. */
#ifndef DB_URL_H
#define DB_URL_H
#include <stddef.h>

typedef enum { DB_KIND_MYSQL = 1, DB_KIND_POSTGRES = 2 } db_kind_t;

typedef struct db_url {
    db_kind_t kind;
    char *host;     /* "localhost" when absent */
    unsigned port;  /* 3306 (MySQL) or 5432 (PostgreSQL) when absent */
    char *database; /* NULL when absent */
    char *user;     /* from user@ or ?user=; NULL when absent */
    char *password; /* from user:pw@ or ?password=; secret, NULL when absent */
    /* TLS: MySQL Connector/J, MariaDB Connector/J and PgJDBC parameter names */
    int ssl_mode; /* DB_SSL_* */
    char *ssl_ca; /* serverSslCert / sslCa / sslrootcert: a PEM file */
    unsigned connect_timeout_s, read_timeout_s; /* 0: library default */
} db_url_t;

enum {
    DB_SSL_DISABLED = 0,
    DB_SSL_PREFERRED,
    DB_SSL_REQUIRED,
    DB_SSL_VERIFY_CA,
    DB_SSL_VERIFY_IDENTITY
};

/* Parses `url`. Returns 0, or -1 with a message in errstr (which never contains the password;
 * the caller names the key, e.g. through validation_error). Free with db_url_free. Unknown query parameters are ignored.
 * connectTimeout / socketTimeout are milliseconds for MySQL URLs and seconds for PostgreSQL
 * URLs, as their JDBC drivers read them. */
int db_url_parse(const char *url, db_url_t *out, char *errstr, size_t errstr_size);
void db_url_free(db_url_t *u);
/* The kind of database a URL names, or 0 when it is none of these. */
db_kind_t db_url_kind(const char *url);
#endif
