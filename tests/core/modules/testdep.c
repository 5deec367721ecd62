/* A tiny shared library that one test module depends on; it is kept off the load path. */
__attribute__((visibility("default"))) int cwtestdep_value(void);
__attribute__((visibility("default"))) int cwtestdep_value(void) { return 42; }
