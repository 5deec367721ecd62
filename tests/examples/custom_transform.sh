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
test -f "$prefix/include/connect-worker/sdk.h" || cw_fail "sdk.h not installed"
test -f "$prefix/lib/libconnect-worker-sdk.a" || cw_fail "libconnect-worker-sdk.a not installed"
libs=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --libs connect-worker) ||
    cw_fail "pkg-config --libs connect-worker failed"
case " $libs " in *" -lconnect-worker-sdk "*) ;; *) cw_fail "pkg-config --libs gives no SDK: $libs" ;; esac

# Build a copy, so nothing can come from the source tree, with an environment that knows
# only the installed prefix.
cp -r "$CW_SOURCE_DIR/examples/custom-transform" "$CW_TMP/example"
rm -f "$CW_TMP/example/"*.so
cw_note "building the example with make"
env -i PATH="$PATH" HOME="$CW_TMP" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
    make -C "$CW_TMP/example" >"$CW_TMP/make.log" 2>&1 ||
    { cat "$CW_TMP/make.log" >&2; cw_fail "make of the example failed"; }
cat "$CW_TMP/make.log" >&2
grep -qE -- "-I$prefix(/lib/pkgconfig/\.\./\.\.)?/include" "$CW_TMP/make.log" ||
    cw_fail "the build did not use the installed headers"
source_dir=$(cd "$CW_SOURCE_DIR" && pwd)
if grep -q -- "$source_dir" "$CW_TMP/make.log"; then cw_fail "the build used the source tree"; fi
test -f "$CW_TMP/example/uppercase-field.so" || cw_fail "uppercase-field.so was not built"
# The SDK is linked into the plugin (a local symbol), not exported and not needed at run time.
nm "$CW_TMP/example/uppercase-field.so" | grep -q ' t cw_sdk_buf_append$' ||
    cw_fail "the example does not carry the SDK's cw_sdk_buf_append"
if nm -D --defined-only "$CW_TMP/example/uppercase-field.so" | grep -q cw_sdk_; then
    cw_fail "the example exports SDK symbols"
fi

env -i PATH="$PATH" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
    make -C "$CW_TMP/example" install >>"$CW_TMP/make.log" 2>&1 || cw_fail "make install failed"
installed="$prefix/lib/connect-worker/uppercase-field.so"
test -f "$installed" || cw_fail "make install did not put the plugin into the plugin directory"

cw_note "loading it with the worker's plugin loader"
out=$("$CW_PLUGIN_CHECK" "$installed") || cw_fail "the loader refused the plugin"
echo "$out" >&2
echo "$out" | grep -qx "transform uppercase-field com.example.connect.UppercaseField" ||
    cw_fail "unexpected plugin list: $out"

worker="$prefix/bin/connect-worker"
cw_note "listing plugins with the installed worker"
list=$("$worker" --list-plugins 2>&1) || cw_fail "connect-worker --list-plugins failed: $list"
echo "$list" | grep -q "uppercase-field" || cw_fail "installed worker does not list uppercase-field: $list"
echo "$list" | grep -q "file-source" || cw_fail "installed worker does not list file-source: $list"

# A pipeline through the installed worker, in batch mode (the worker exits once caught up):
# file-source + uppercase-field -> mock Kafka (checked with kcat) -> file-sink.
cw_start_mock_cluster --topic example-lines:1
run_worker() {
    timeout 40 "$worker" --exit-when-caught-up "$CW_TMP/worker.properties" "$@" \
        >>"$CW_TMP/worker.log" 2>&1 ||
        { cat "$CW_TMP/worker.log" >&2; cw_fail "the worker failed on $*"; }
}
topic_lines() { kcat -b "$CW_BOOTSTRAP" -C -t example-lines -o beginning -e -q; }

printf 'alpha\nBeta gamma\ncaf\xc3\xa9 42\n' >"$CW_TMP/in.txt"
cat >"$CW_TMP/worker.properties" <<PROPS
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
PROPS
cat >"$CW_TMP/source.properties" <<PROPS
name=example-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=example-lines
transforms=upper
transforms.upper.type=uppercase-field
PROPS
cat >"$CW_TMP/sink.properties" <<PROPS
name=example-sink
connector.class=FileStreamSink
topics=example-lines
file=$CW_TMP/out.txt
PROPS

cw_note "file-source with the transform -> Kafka"
run_worker "$CW_TMP/source.properties"
printf 'ALPHA\nBETA GAMMA\nCAF\xc3\xa9 42\n' >"$CW_TMP/expected.txt"
topic_lines >"$CW_TMP/topic.txt"
cmp "$CW_TMP/expected.txt" "$CW_TMP/topic.txt" ||
    cw_fail "topic holds: $(cat "$CW_TMP/topic.txt")"

cw_note "a second run resumes after the stored offset"
printf 'delta\n' >>"$CW_TMP/in.txt"
run_worker "$CW_TMP/source.properties"
printf 'DELTA\n' >>"$CW_TMP/expected.txt"
topic_lines >"$CW_TMP/topic.txt"
cmp "$CW_TMP/expected.txt" "$CW_TMP/topic.txt" ||
    cw_fail "after the second run the topic holds: $(cat "$CW_TMP/topic.txt")"

cw_note "Kafka -> file-sink"
run_worker "$CW_TMP/sink.properties"
cmp "$CW_TMP/expected.txt" "$CW_TMP/out.txt" ||
    { cat "$CW_TMP/worker.log" >&2; cw_fail "file-sink wrote: $(cat "$CW_TMP/out.txt")"; }
echo "ok" >&2
