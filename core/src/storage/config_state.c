/*
 * ClusterConfigState from config-topic records (see config_state.h). One entry per connector
 * name seen in any record; an entry keeps its place when its configuration is removed, so
 * that the order of connectors is the order of first appearance.
 */
#include "storage/config_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *name;
    cw_props_t *config; /* NULL: no configuration (never written, or removed) */
    int has_target;
    cw_cf_target_state_t target;
    int task_count; /* committed; -1: none */
    int inconsistent;
    int task_count_record; /* -1: none */
    cw_props_t **tasks;    /* committed configs by task id, ntasks slots */
    int ntasks;
    cw_props_t **deferred; /* configs waiting for a commit, ndeferred slots */
    int ndeferred;
} entry_t;

struct cw_config_state {
    entry_t *entries;
    size_t n, cap;
    int64_t offset;
    cw_cf_session_key_t session_key;
    int has_session_key;
};

void cw_config_change_clear(cw_config_change_t *c) {
    free(c->connector);
    *c = (cw_config_change_t){0};
}

cw_config_state_t *cw_config_state_new(void) {
    cw_config_state_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->offset = -1;
    return s;
}

static void free_slots(cw_props_t ***slots, int *n) {
    for (int i = 0; i < *n; i++) cw_props_free((*slots)[i]);
    free(*slots);
    *slots = NULL;
    *n = 0;
}

void cw_config_state_free(cw_config_state_t *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        entry_t *e = &s->entries[i];
        free(e->name);
        cw_props_free(e->config);
        free_slots(&e->tasks, &e->ntasks);
        free_slots(&e->deferred, &e->ndeferred);
    }
    free(s->entries);
    cw_cf_session_key_clear(&s->session_key);
    free(s);
}

static entry_t *find(const cw_config_state_t *s, const char *name) {
    for (size_t i = 0; name && i < s->n; i++)
        if (strcmp(s->entries[i].name, name) == 0) return &s->entries[i];
    return NULL;
}

static entry_t *get_or_add(cw_config_state_t *s, const char *name) {
    entry_t *e = find(s, name);
    if (e) return e;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->entries = realloc(s->entries, s->cap * sizeof *s->entries);
        if (!s->entries) abort();
    }
    e = &s->entries[s->n++];
    *e = (entry_t){.name = strdup(name), .task_count = -1, .task_count_record = -1};
    return e;
}

/* Stores `p` in slot `i`, growing the array; the previous occupant is freed. */
static void put_slot(cw_props_t ***slots, int *n, int i, cw_props_t *p) {
    if (i >= *n) {
        cw_props_t **grown = realloc(*slots, (size_t)(i + 1) * sizeof *grown);
        if (!grown) abort();
        memset(grown + *n, 0, (size_t)(i + 1 - *n) * sizeof *grown);
        *slots = grown;
        *n = i + 1;
    }
    cw_props_free((*slots)[i]);
    (*slots)[i] = p;
}

/* processConnectorRemoval: config, tasks, counts and pending task configs go; the target
 * state stays (its own tombstone removes it). */
static void remove_connector(entry_t *e) {
    cw_props_free(e->config);
    e->config = NULL;
    e->task_count = -1;
    free_slots(&e->tasks, &e->ntasks);
    free_slots(&e->deferred, &e->ndeferred);
}

/* processTasksCommitRecord: applies the deferred task configs when they cover 0..n-1. */
static void commit_tasks(entry_t *e, int n) {
    if (!e->config) { /* deleted, and compaction removed its history */
        remove_connector(e);
        return;
    }
    int complete = e->ndeferred >= n;
    for (int i = 0; complete && i < n; i++) complete = e->deferred[i] != NULL;
    e->inconsistent = !complete;
    for (int i = 0; complete && i < e->ndeferred; i++)
        if (e->deferred[i]) {
            put_slot(&e->tasks, &e->ntasks, i, e->deferred[i]);
            e->deferred[i] = NULL;
        }
    free_slots(&e->deferred, &e->ndeferred); /* always cleared, applied or not */
    e->task_count = n;
}

static int apply_value(cw_config_state_t *s, const cw_cf_config_key_t *k, const void *value,
                       size_t len, cw_config_change_t *ch, char *errstr, size_t errstr_size) {
    int tomb = !value || !len;
    entry_t *e = k->name && k->kind != CW_CF_CONFIG_LOGGER ? get_or_add(s, k->name) : NULL;
    cw_props_t *p;
    int n;
    switch (k->kind) {
    case CW_CF_CONFIG_CONNECTOR:
        if (tomb) {
            remove_connector(e);
            ch->removed = 1;
            return 0;
        }
        if (!(p = cw_cf_properties_decode(value, len, errstr, errstr_size))) return -1;
        cw_props_free(e->config);
        e->config = p;
        return 0;
    case CW_CF_CONFIG_TARGET_STATE:
        if (tomb) {
            e->has_target = 0; /* reads as STARTED while the connector exists */
            ch->removed = 1;
            return 0;
        }
        if (cw_cf_target_state_decode(value, len, &e->target, errstr, errstr_size)) return -1;
        e->has_target = 1;
        return 0;
    case CW_CF_CONFIG_TASK:
        if (tomb) {
            snprintf(errstr, errstr_size, "task configuration: unexpectedly null");
            return -1;
        }
        if (!(p = cw_cf_properties_decode(value, len, errstr, errstr_size))) return -1;
        put_slot(&e->deferred, &e->ndeferred, k->task, p);
        return 0;
    case CW_CF_CONFIG_COMMIT:
        if (!tomb && cw_cf_commit_decode(value, len, &n, errstr, errstr_size)) return -1;
        if (tomb && e->config) {
            snprintf(errstr, errstr_size, "task commit: unexpectedly null");
            return -1;
        }
        commit_tasks(e, tomb ? 0 : n);
        return 0;
    case CW_CF_CONFIG_RESTART:
        return tomb ? 0
                    : cw_cf_restart_decode(value, len, &ch->include_tasks, &ch->only_failed, errstr,
                                           errstr_size);
    case CW_CF_CONFIG_TASK_COUNT:
        if (tomb) return 0;
        if (cw_cf_task_count_decode(value, len, &n, errstr, errstr_size)) return -1;
        e->task_count_record = n;
        return 0;
    case CW_CF_CONFIG_SESSION_KEY: {
        cw_cf_session_key_t key;
        if (tomb) {
            snprintf(errstr, errstr_size, "session key: unexpectedly null");
            return -1;
        }
        if (cw_cf_session_key_decode(value, len, &key, errstr, errstr_size)) return -1;
        cw_cf_session_key_clear(&s->session_key);
        s->session_key = key;
        s->has_session_key = 1;
        return 0;
    }
    default: return 0; /* logger levels: nothing to keep */
    }
}

int cw_config_state_apply(cw_config_state_t *s, const void *key, size_t key_len, const void *value,
                          size_t value_len, int64_t offset, cw_config_change_t *change,
                          char *errstr, size_t errstr_size) {
    *change = (cw_config_change_t){0};
    s->offset = offset + 1; /* the next record to read, consistent or not */
    cw_cf_config_key_t k;
    if (cw_cf_config_key_parse(key, key_len, &k)) {
        snprintf(errstr, errstr_size, "invalid key '%.*s'", (int)(key_len > 200 ? 200 : key_len),
                 key ? (const char *)key : "");
        return -1;
    }
    int rc = apply_value(s, &k, value, value_len, change, errstr, errstr_size);
    if (!rc) {
        change->kind = k.kind;
        change->connector = k.name && k.kind != CW_CF_CONFIG_LOGGER ? strdup(k.name) : NULL;
    }
    cw_cf_config_key_clear(&k);
    return rc;
}

int64_t cw_config_state_offset(const cw_config_state_t *s) { return s->offset; }

size_t cw_config_state_connector_count(const cw_config_state_t *s) {
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) n += s->entries[i].config != NULL;
    return n;
}

const char *cw_config_state_connector_at(const cw_config_state_t *s, size_t i) {
    for (size_t k = 0; k < s->n; k++)
        if (s->entries[k].config && i-- == 0) return s->entries[k].name;
    return NULL;
}

const cw_props_t *cw_config_state_connector_config(const cw_config_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e ? e->config : NULL;
}

cw_cf_target_state_t cw_config_state_target(const cw_config_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e && e->has_target ? e->target : CW_CF_TARGET_STARTED;
}

int cw_config_state_task_count(const cw_config_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e && e->config && !e->inconsistent && e->task_count > 0 ? e->task_count : 0;
}

const cw_props_t *cw_config_state_task_config(const cw_config_state_t *s, const char *name,
                                              int task) {
    const entry_t *e = find(s, name);
    return e && task >= 0 && task < cw_config_state_task_count(s, name) && task < e->ntasks
               ? e->tasks[task]
               : NULL;
}

int cw_config_state_inconsistent(const cw_config_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e && e->inconsistent;
}

int cw_config_state_task_count_record(const cw_config_state_t *s, const char *name) {
    const entry_t *e = find(s, name);
    return e ? e->task_count_record : -1;
}

const cw_cf_session_key_t *cw_config_state_session_key(const cw_config_state_t *s) {
    return s->has_session_key ? &s->session_key : NULL;
}
