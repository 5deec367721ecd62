/* Placeholder until the worker runtime lands. */
#include <stdio.h>
#include "version.h"
int main(void) {
    fprintf(stderr, "connect-worker %s: runtime not built yet\n", cw_version());
    return 1;
}
