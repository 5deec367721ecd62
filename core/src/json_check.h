/* A fast pre-check of JSON text (JsonConverter's check of bytes a source plugin set). */
#ifndef CW_JSON_CHECK_H
#define CW_JSON_CHECK_H
#include <stddef.h>

/** 1 when `data` is certainly one JSON text that json_loadb accepts with JSON_DECODE_ANY |
 *  JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL; 0 when it is not or when this check cannot be
 *  sure (then ask jansson, which also gives the error message). Allocates nothing; about
 *  ten times faster than parsing with jansson. */
int cw_json_surely_valid(const void *data, size_t len);
#endif
