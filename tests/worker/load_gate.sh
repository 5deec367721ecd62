#!/usr/bin/env bash
# The load gate through the real worker: a plugin directory holding modules that are broken in
# one way each (tests/core/modules: ABI 1, a host table with a member inserted, a larger ops
# table, no plugin header, an unresolved symbol, a missing library). The worker refuses each
# by file name and cause, and goes on with the good ones: --list-plugins exits 0.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

dir="$CW_BUILD_DIR/tests/core/test-plugins/plugins"
[ -f "$dir/unresolved.so" ] || cw_fail "test modules not built in $dir"

set +e
out=$("$CW_WORKER" --plugin-path "$dir" --list-plugins 2>"$CW_TMP/err"); rc=$?
set -e
err=$(cat "$CW_TMP/err")
echo "$err" >&2
[ "$rc" = 0 ] || cw_fail "--list-plugins exited $rc with broken modules in the plugin path"
echo "$out" | grep -Eq "^good +source " || cw_fail "the good module is not listed: $out"
echo "$out" | grep -Eq "^file-sink +sink " || cw_fail "bundled plugins are not listed: $out"

expect() {
    echo "$err" | grep -F -- "$1" | grep -qF -- "$2" || cw_fail "no refusal of $1 saying: $2"
}
expect "$dir/unresolved.so" "unresolved symbol: undefined symbol: cw_test_function_nobody_defines"
expect "$dir/wrong_abi.so" "was built for plugin ABI 1; this worker speaks ABI 2 (rebuild it"
expect "$dir/host_inserted.so" "expects a host table (cw_host_t) of"
expect "$dir/ops_larger.so" "transform ops table (cw_transform_ops_t) is"
expect "$dir/plugin_no_header.so" "plugin descriptor (cw_plugin_t) is 0 bytes"
expect "$dir/missing_dep.so" "libcwtestdep.so.1"
for bad in unresolved host_inserted ops_larger pluginnoheader; do
    echo "$out" | grep -q "^$bad" && cw_fail "refused module $bad is listed"
done

# A connector naming a plugin of a refused module fails validation by name; nothing crashes.
cat >"$CW_TMP/w.properties" <<EOW
bootstrap.servers=127.0.0.1:1
offset.storage.file.filename=$CW_TMP/offsets
plugin.path=$dir
EOW
cat >"$CW_TMP/c.properties" <<EOC
name=gate
connector.class=file-source
file=$CW_TMP/in.txt
topic=t
transforms=u
transforms.u.type=unresolved-transform
EOC
set +e
out=$("$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/c.properties" 2>&1); rc=$?
set -e
[ "$rc" = 3 ] || cw_fail "--validate with a refused transform: exit $rc, want 3: $out"
echo "$out" | grep -q "unresolved-transform" || cw_fail "the refused transform is not named: $out"
echo ok >&2
