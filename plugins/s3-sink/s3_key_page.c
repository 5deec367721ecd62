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

int s3_key_page_add(s3_key_page_t *p, const char *key) {
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        char **nk = realloc(p->keys, nc * sizeof *nk);
        if (!nk) return -1;
        p->keys = nk;
        p->cap = nc;
    }
    if (!(p->keys[p->n] = strdup(key))) return -1;
    p->n++;
    return 0;
}

static int key_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void s3_key_page_sort(s3_key_page_t *p) {
    if (p->n > 1) qsort(p->keys, p->n, sizeof *p->keys, key_cmp);
}

int s3_key_page_has(const s3_key_page_t *p, const char *key) {
    return p->n && bsearch(&key, p->keys, p->n, sizeof *p->keys, key_cmp) != NULL;
}

/* Appends the text of <Key> under one <Contents>. 0, or -1: no memory. */
static int add_key(s3_key_page_t *p, const xmlNode *contents) {
    for (const xmlNode *k = contents->children; k; k = k->next) {
        if (!named(k, "Key")) continue;
        xmlChar *text = xmlNodeGetContent(k);
        if (!text) return -1;
        int rc = s3_key_page_add(p, (const char *)text);
        xmlFree(text);
        return rc;
    }
    return 0;
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
    int rc = 0;
    for (const xmlNode *n = root->children; n && rc == 0; n = n->next) {
        if (named(n, "Contents")) {
            rc = add_key(page, n);
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
    s3_key_page_sort(page);
    return 0;
}

long long s3_origin_start(const s3_origin_t *o) { return strtoll(o->offsets, NULL, 10); }

int s3_origin_same(const s3_origin_t *a, const s3_origin_t *b) {
    return b->cluster[0] && !strcmp(a->cluster, b->cluster) && !strcmp(a->topic, b->topic) &&
           !strcmp(a->partition, b->partition) && s3_origin_start(a) == s3_origin_start(b) &&
           !strcmp(a->first, b->first);
}
