#ifndef CW_VERSION_H
#define CW_VERSION_H
/** The worker's version string (the CMake project version). */
const char *cw_version(void);
#endif
