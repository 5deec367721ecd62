#!/usr/bin/env bash
# The custom-transform example builds out of tree against an installed SDK only, and the
# worker's loader accepts the result.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

prefix="$CW_TMP/prefix"
cw_note "installing the build into $prefix"
cmake --install "$CW_BUILD_DIR" --prefix "$prefix" >"$CW_TMP/install.log" 2>&1 ||
    { cat "$CW_TMP/install.log" >&2; cw_fail "cmake --install failed"; }
test -f "$prefix/include/connect-worker/plugin.h" || cw_fail "plugin.h not installed"
test -f "$prefix/lib/pkgconfig/connect-worker.pc" || cw_fail "connect-worker.pc not installed"

# Build a copy, so nothing can come from the source tree, with an environment that knows
# only the installed prefix.
cp -r "$CW_SOURCE_DIR/examples/custom-transform" "$CW_TMP/example"
rm -f "$CW_TMP/example/"*.so
cw_note "building the example with make"
env -i PATH="$PATH" HOME="$CW_TMP" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
    make -C "$CW_TMP/example" >"$CW_TMP/make.log" 2>&1 ||
    { cat "$CW_TMP/make.log" >&2; cw_fail "make of the example failed"; }
cat "$CW_TMP/make.log" >&2
grep -q -- "-I$prefix/include" "$CW_TMP/make.log" || cw_fail "the build did not use the installed headers"
if grep -q -- "$CW_SOURCE_DIR" "$CW_TMP/make.log"; then cw_fail "the build used the source tree"; fi
test -f "$CW_TMP/example/uppercase-field.so" || cw_fail "uppercase-field.so was not built"

env -i PATH="$PATH" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
    make -C "$CW_TMP/example" install >>"$CW_TMP/make.log" 2>&1 || cw_fail "make install failed"
installed="$prefix/lib/connect-worker/uppercase-field.so"
test -f "$installed" || cw_fail "make install did not put the plugin into the plugin directory"

cw_note "loading it with the worker's plugin loader"
out=$("$CW_PLUGIN_CHECK" "$installed") || cw_fail "the loader refused the plugin"
echo "$out" >&2
echo "$out" | grep -qx "transform uppercase-field com.example.connect.UppercaseField" ||
    cw_fail "unexpected plugin list: $out"

# The installed worker lists it when its runtime supports --list-plugins.
worker="$prefix/bin/connect-worker"
if "$worker" --help 2>&1 | grep -q -- "--list-plugins"; then
    cw_note "listing plugins with the installed worker"
    list=$("$worker" --list-plugins 2>&1) || cw_fail "connect-worker --list-plugins failed: $list"
    echo "$list" | grep -q "uppercase-field" || cw_fail "installed worker does not list uppercase-field: $list"
    echo "$list" | grep -q "file-source" || cw_fail "installed worker does not list file-source: $list"
else
    cw_note "the worker has no --list-plugins yet: skipped listing and the pipeline run"
fi
echo "ok" >&2
