/*
 * Status records to state (see status_state.h). One entry per connector name; statuses are
 * kept decoded, topics as the names of their status-topic keys.
 */
#include "storage/status_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *name;
    int has_conn;
    cw_cf_status_t conn;
    cw_cf_status_t *tasks; /* ntasks slots; state NULL: none */
    int ntasks;
    char **topics;
    size_t ntopics;
} entry_t;

struct cw_status_state {
    entry_t *entries;
    size_t n, cap;
};

cw_status_state_t *cw_status_state_new(void) {
    cw_status_state_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    return s;
}

static void clear_tasks(entry_t *e) {
    for (int i = 0; i < e->ntasks; i++) cw_cf_status_clear(&e->tasks[i]);
    free(e->tasks);
    e->tasks = NULL;
    e->ntasks = 0;
}

void cw_status_state_free(cw_status_state_t *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        entry_t *e = &s->entries[i];
        cw_cf_status_clear(&e->conn);
        clear_tasks(e);
        for (size_t k = 0; k < e->ntopics; k++) free(e->topics[k]);
        free(e->topics);
        free(e->name);
    }
    free(s->entries);
    free(s);
}

static entry_t *find(const cw_status_state_t *s, const char *name) {
    for (size_t i = 0; name && i < s->n; i++)
        if (strcmp(s->entries[i].name, name) == 0) return &s->entries[i];
    return NULL;
}

static entry_t *get_or_add(cw_status_state_t *s, const char *name) {
    entry_t *e = find(s, name);
    if (e) return e;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->entries = realloc(s->entries, s->cap * sizeof *s->entries);
        if (!s->entries) abort();
    }
    e = &s->entries[s->n++];
    *e = (entry_t){.name = strdup(name)};
    return e;
}

static void put_task(entry_t *e, int task, cw_cf_status_t *st) {
    if (task >= e->ntasks) {
        cw_cf_status_t *grown = realloc(e->tasks, (size_t)(task + 1) * sizeof *grown);
        if (!grown) abort();
        memset(grown + e->ntasks, 0, (size_t)(task + 1 - e->ntasks) * sizeof *grown);
        e->tasks = grown;
        e->ntasks = task + 1;
    }
    cw_cf_status_t *cur = &e->tasks[task];
    /* KafkaStatusBackingStore.readTaskStatus: a stale UNASSIGNED loses to RUNNING. */
    if (st->state && strcmp(st->state, "UNASSIGNED") == 0 && cur->state &&
        strcmp(cur->state, "RUNNING") == 0 && cur->generation >= st->generation) {
        cw_cf_status_clear(st);
        return;
    }
    cw_cf_status_clear(cur);
    *cur = *st; /* NULL state: removed */
}

static void set_topic(entry_t *e, const char *topic, int present) {
    for (size_t i = 0; i < e->ntopics; i++)
        if (strcmp(e->topics[i], topic) == 0) {
            if (!present) {
                free(e->topics[i]);
                memmove(&e->topics[i], &e->topics[i + 1], (e->ntopics - i - 1) * sizeof *e->topics);
                e->ntopics--;
            }
            return;
        }
    if (!present) return;
    char **grown = realloc(e->topics, (e->ntopics + 1) * sizeof *grown);
    if (!grown) abort();
    e->topics = grown;
    e->topics[e->ntopics++] = strdup(topic);
}

int cw_status_state_apply(cw_status_state_t *s, const void *key, size_t key_len, const void *value,
                          size_t value_len, char *errstr, size_t errstr_size) {
    cw_cf_status_key_t k;
    if (cw_cf_status_key_parse(key, key_len, &k)) {
        snprintf(errstr, errstr_size, "invalid status key '%.*s'",
                 (int)(key_len > 200 ? 200 : key_len), key ? (const char *)key : "");
        return -1;
    }
    int tomb = !value || !value_len, rc = 0;
    cw_cf_status_t st = {0};
    if (!tomb && k.kind != CW_CF_STATUS_TOPIC)
        rc = cw_cf_status_decode(value, value_len, &st, errstr, errstr_size);
    if (!rc) {
        entry_t *e = get_or_add(s, k.name);
        if (k.kind == CW_CF_STATUS_CONNECTOR) {
            cw_cf_status_clear(&e->conn);
            e->conn = st;
            e->has_conn = !tomb;
            if (tomb) clear_tasks(e); /* KafkaStatusBackingStore.remove(connector) */
        } else if (k.kind == CW_CF_STATUS_TASK) {
            put_task(e, k.task, &st);
        } else {
            set_topic(e, k.topic, !tomb);
        }
    }
    cw_cf_status_key_clear(&k);
    return rc;
}

const cw_cf_status_t *cw_status_state_connector(const cw_status_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e && e->has_conn ? &e->conn : NULL;
}

const cw_cf_status_t *cw_status_state_task(const cw_status_state_t *s, const char *name, int task) {
    const entry_t *e = find(s, name);
    return e && task >= 0 && task < e->ntasks && e->tasks[task].state ? &e->tasks[task] : NULL;
}

int cw_status_state_task_end(const cw_status_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    int end = 0;
    for (int i = 0; e && i < e->ntasks; i++)
        if (e->tasks[i].state) end = i + 1;
    return end;
}

size_t cw_status_state_topic_count(const cw_status_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e ? e->ntopics : 0;
}

const char *cw_status_state_topic_at(const cw_status_state_t *s, const char *name, size_t i) {
    const entry_t *e = find(s, name);
    return e && i < e->ntopics ? e->topics[i] : NULL;
}
