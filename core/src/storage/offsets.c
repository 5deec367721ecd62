/* The offset store's dispatch to its backend (see offsets.h). */
#include "storage/offsets.h"

char *cw_offsets_get(cw_offsets_t *o, const char *connector, const char *source_partition) {
    return o->ops->get(o, connector, source_partition);
}

void cw_offsets_put(cw_offsets_t *o, const char *connector, const char *source_partition,
                    const char *source_offset) {
    o->ops->put(o, connector, source_partition, source_offset);
}

int cw_offsets_flush(cw_offsets_t *o, char *errstr, size_t errstr_size) {
    return o->ops->flush(o, errstr, errstr_size);
}

void cw_offsets_free(cw_offsets_t *o) {
    if (o) o->ops->destroy(o);
}

char *cw_offsets_list(cw_offsets_t *o, const char *connector) {
    return o->ops->list ? o->ops->list(o, connector) : NULL;
}

int cw_offsets_fenced(cw_offsets_t *o) { return o && o->ops->fenced ? o->ops->fenced(o) : 0; }
