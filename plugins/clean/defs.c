/* The clean transform's key table: validated by the worker, listed by --describe. */
#include "clean.h"

const cw_config_def_t clean_defs[] = {
    {"null.values", CW_CFG_STRING, NULL, 0, "JSON array of placeholder strings that become null in every field.", NULL, 0, 0},
    {"null.values.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "null.values.<field>: JSON array of placeholder strings that become null in that field.", NULL, 0, 0},
    {"null.empty", CW_CFG_BOOL, "false", 0, "Empty strings become null.", NULL, 0, 0},
    {"strip.prefix.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "strip.prefix.<field>: text removed from the start of the field when present.", NULL, 0, 0},
    {"extract.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "extract.<field>: Java-style regex (PCRE2), found anywhere in the value; the field becomes group 1 (or the whole match); no match fails the record.", NULL, 0, 0},
    {"human.numbers", CW_CFG_LIST, NULL, 0, "Fields holding human-written counts (892, 10k, 1.5k, 3M) that become integers.", NULL, 0, 0},
    {"integers", CW_CFG_LIST, NULL, 0, "Fields that become integers (from digit strings or whole numbers).", NULL, 0, 0},
    {"numbers", CW_CFG_LIST, NULL, 0, "Fields that become numbers (from decimal strings).", NULL, 0, 0},
    {"timestamps", CW_CFG_LIST, NULL, 0, "Fields holding timestamps that become ISO-8601 UTC (YYYY-MM-DDTHH:MM:SSZ).", NULL, 0, 0},
    {"concat.fields.", CW_CFG_LIST, NULL, CW_CFG_F_PREFIX, "concat.fields.<new>: fields joined into the new string field (nulls skipped).", NULL, 0, 0},
    {"concat.separator.", CW_CFG_STRING, " ", CW_CFG_F_PREFIX, "concat.separator.<new>: separator for concat.fields.<new>.", NULL, 0, 0},
    {"array.", CW_CFG_LIST, NULL, CW_CFG_F_PREFIX, "array.<new>: fields collected into the new array field.", NULL, 0, 0},
    {"drop", CW_CFG_LIST, NULL, 0, "Fields removed.", NULL, 0, 0},
    {"renames", CW_CFG_LIST, NULL, 0, "Renames, each old:new.", NULL, 0, 0},
    {"order", CW_CFG_LIST, NULL, 0, "The output has exactly these fields in this order (missing ones as null).", NULL, 0, 0},
    CW_CONFIG_END};
