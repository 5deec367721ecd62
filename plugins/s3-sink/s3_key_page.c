/* Helpers the S3 clients share for the overwrite protection: the pages of a listing (parsed
 * with libxml2: keys may hold any character, and XML escapes them) and the comparison of
 * origins. */
#include "s3_client.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void s3_key_page_free(s3_key_page_t *p) {
    for (size_t i = 0; i < p->n; i++) free(p->keys[i]);
    free(p->keys);
    memset(p, 0, sizeof *p);
}

static int named(const xmlNode *n, const char *name) {
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Appends the text of <Key> under one <Contents>. 0, or -1: no memory. */
static int add_key(s3_key_page_t *p, const xmlNode *contents, size_t *cap) {
    for (const xmlNode *k = contents->children; k; k = k->next) {
        if (!named(k, "Key")) continue;
        xmlChar *text = xmlNodeGetContent(k);
        if (!text) return -1;
        if (p->n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            char **nk = realloc(p->keys, nc * sizeof *nk);
            if (!nk) {
                xmlFree(text);
                return -1;
            }
            p->keys = nk;
            *cap = nc;
        }
        p->keys[p->n] = strdup((const char *)text);
        xmlFree(text);
        return p->keys[p->n++] ? 0 : -1;
    }
    return 0;
}

static int key_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void) { xmlInitParser(); }

int s3_key_page_parse(const char *xml, size_t len, s3_key_page_t *page) {
    pthread_once(&xml_once, xml_init);
    memset(page, 0, sizeof *page);
    if (!xml || len > (size_t)0x7fffffff) return -1;
    xmlDoc *doc =
        xmlReadMemory(xml, (int)len, "list.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !named(root, "ListBucketResult")) {
        xmlFreeDoc(doc);
        return -1;
    }
    size_t cap = 0;
    int rc = 0;
    for (const xmlNode *n = root->children; n && rc == 0; n = n->next) {
        if (named(n, "Contents")) {
            rc = add_key(page, n, &cap);
        } else if (named(n, "IsTruncated")) {
            xmlChar *text = xmlNodeGetContent(n);
            page->truncated = text && !strcmp((const char *)text, "true");
            xmlFree(text);
        }
    }
    xmlFreeDoc(doc);
    if (rc != 0) {
        s3_key_page_free(page);
        return -1;
    }
    /* S3 lists in byte order already; the sink's lookups must not depend on a store that
     * does not. */
    if (page->n > 1) qsort(page->keys, page->n, sizeof *page->keys, key_cmp);
    return 0;
}

/* The first offset in an origin's "first-last" text. */
static long long origin_start(const s3_origin_t *o) { return strtoll(o->offsets, NULL, 10); }

int s3_origin_same(const s3_origin_t *a, const s3_origin_t *b) {
    return b->cluster[0] && !strcmp(a->cluster, b->cluster) && !strcmp(a->topic, b->topic) &&
           !strcmp(a->partition, b->partition) && origin_start(a) == origin_start(b) &&
           !strcmp(a->first, b->first);
}
