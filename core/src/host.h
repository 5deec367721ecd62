/* The worker side of the plugin ABI: the cw_host_t table and the per-instance context. */
#ifndef CW_HOST_H
#define CW_HOST_H
#include "connect-worker/plugin.h"

/** The one host table handed to every module. Static; never NULL. */
const cw_host_t *cw_host(void);
#endif
