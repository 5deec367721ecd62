/*
 * ThreadSanitizer builds only (CW_SANITIZE=thread; linked into every target by the top
 * CMakeLists.txt). librdkafka (Debian's, built with glibc's C11 threads) starts its threads
 * with thrd_create, which neither GCC 12's nor clang 14's TSan runtime intercepts: those
 * threads had no TSan state, and the first signal or intercepted call on one of them crashed
 * the runtime ("ThreadSanitizer: SEGV on unknown address 0x...1c78", then "nested bug in the
 * same thread"), which is why a hand-built TSan worker died at once. These definitions take
 * precedence over glibc's (the executable comes first in symbol lookup) and route
 * librdkafka's threads through pthread_create / pthread_join, which TSan does intercept.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

typedef struct {
    thrd_start_t fn;
    void *arg;
} start_t;

static void *trampoline(void *p) {
    start_t s = *(start_t *)p;
    free(p);
    return (void *)(intptr_t)s.fn(s.arg);
}

__attribute__((visibility("default"))) int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg) {
    start_t *s = malloc(sizeof *s);
    if (!s) return thrd_nomem;
    s->fn = fn;
    s->arg = arg;
    pthread_t t;
    int rc = pthread_create(&t, NULL, trampoline, s);
    if (rc != 0) {
        free(s);
        return rc == EAGAIN || rc == ENOMEM ? thrd_nomem : thrd_error;
    }
    *thr = (thrd_t)t;
    return thrd_success;
}

__attribute__((visibility("default"))) int thrd_join(thrd_t thr, int *res) {
    void *r = NULL;
    if (pthread_join((pthread_t)thr, &r) != 0) return thrd_error;
    if (res) *res = (int)(intptr_t)r;
    return thrd_success;
}

__attribute__((visibility("default"))) int thrd_detach(thrd_t thr) {
    return pthread_detach((pthread_t)thr) == 0 ? thrd_success : thrd_error;
}
