/* Per-connector log levels (see log_levels.h): a small table under a mutex, with an atomic
 * count so that lines are not slowed down while no connector has a level of its own. */
#include "log_levels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[256];
    cw_log_level_t level;
    int64_t set_ms;
} table[CW_LOG_LEVELS_MAX];
static _Atomic int count;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cw_log_levels_set(const char *connector, cw_log_level_t level) {
    if (!connector || strlen(connector) >= sizeof table[0].name) return -1;
    pthread_mutex_lock(&lock);
    int n = atomic_load(&count), i = 0;
    while (i < n && strcmp(table[i].name, connector) != 0) i++;
    int ok = i < CW_LOG_LEVELS_MAX;
    if (ok) {
        strcpy(table[i].name, connector);
        table[i].level = level;
        table[i].set_ms = now_ms();
        if (i == n) atomic_store(&count, n + 1);
    }
    pthread_mutex_unlock(&lock);
    return ok ? 0 : -1;
}

void cw_log_levels_clear(void) {
    pthread_mutex_lock(&lock);
    atomic_store(&count, 0);
    pthread_mutex_unlock(&lock);
}

int cw_log_levels_any(void) { return atomic_load_explicit(&count, memory_order_relaxed) > 0; }

cw_log_level_t cw_log_levels_get(const char *connector, cw_log_level_t fallback, int64_t *set_ms) {
    cw_log_level_t level = fallback;
    if (set_ms) *set_ms = 0;
    if (!connector) return level;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < atomic_load(&count); i++) {
        if (strcmp(table[i].name, connector) != 0) continue;
        level = table[i].level;
        if (set_ms) *set_ms = table[i].set_ms;
        break;
    }
    pthread_mutex_unlock(&lock);
    return level;
}

void cw_log_levels_foreach(void (*fn)(const char *connector, cw_log_level_t level, int64_t set_ms,
                                      void *opaque),
                           void *opaque) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < atomic_load(&count); i++)
        fn(table[i].name, table[i].level, table[i].set_ms, opaque);
    pthread_mutex_unlock(&lock);
}
