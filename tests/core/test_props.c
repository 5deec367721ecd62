/* .properties syntax, JSON connector files and config providers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "props.h"

static char tmpdir[] = "/tmp/cw-test-props-XXXXXX";

static cw_props_t *parse(const char *text) {
    cw_props_t *p = cw_props_new();
    char err[512] = "";
    if (cw_props_parse(p, text, strlen(text), "test.properties", err, sizeof err) != 0) {
        fprintf(stderr, "unexpected parse error: %s\n", err);
        check_failures++;
    }
    return p;
}

static void test_separators_and_whitespace(void) {
    cw_props_t *p = parse("a=1\n"
                          "b: 2\n"
                          "c 3\n"
                          "  d   =   four  \n"
                          "e\t:\tfive\n"
                          "f\n"
                          "g=\n"
                          "h = = x\n"
                          "i:=y\n"
                          "  \t\n"
                          "url=http://host:8080/p?q=1\n");
    CHECK_STR(cw_props_get(p, "a"), "1");
    CHECK_STR(cw_props_get(p, "b"), "2");
    CHECK_STR(cw_props_get(p, "c"), "3");
    CHECK_STR(cw_props_get(p, "d"), "four  "); /* trailing white space is kept, as in Java */
    CHECK_STR(cw_props_get(p, "e"), "five");
    CHECK_STR(cw_props_get(p, "f"), "");
    CHECK_STR(cw_props_get(p, "g"), "");
    CHECK_STR(cw_props_get(p, "h"), "= x"); /* only one separator is eaten */
    CHECK_STR(cw_props_get(p, "i"), "=y");
    CHECK_STR(cw_props_get(p, "url"), "http://host:8080/p?q=1");
    CHECK(cw_props_count(p) == 10);
    cw_props_free(p);
}

static void test_comments(void) {
    cw_props_t *p = parse("# a comment\n"
                          "! another=comment\n"
                          "   # indented comment\n"
                          "k=v # not a comment\n"
                          "#x=1 \\\n"
                          "y=2\n");
    CHECK(cw_props_count(p) == 2);
    CHECK_STR(cw_props_get(p, "k"), "v # not a comment");
    CHECK(cw_props_get(p, "#x") == NULL);
    CHECK_STR(cw_props_get(p, "y"), "2"); /* a comment line is never continued */
    cw_props_free(p);
}

static void test_escapes(void) {
    cw_props_t *p = parse("tab=a\\tb\n"
                          "nl=a\\nb\\rc\\fd\n"
                          "key\\ with\\ spaces=1\n"
                          "key\\=eq\\:colon=2\n"
                          "bs=C:\\\\dir\\\\file\n"
                          "other=\\q\\#\\!\n"
                          "u=caf\\u00e9 \\u20AC \\uD83D\\uDE00\n"
                          "lead=\\  two spaces\n");
    CHECK_STR(cw_props_get(p, "tab"), "a\tb");
    CHECK_STR(cw_props_get(p, "nl"), "a\nb\rc\fd");
    CHECK_STR(cw_props_get(p, "key with spaces"), "1");
    CHECK_STR(cw_props_get(p, "key=eq:colon"), "2");
    CHECK_STR(cw_props_get(p, "bs"), "C:\\dir\\file");
    CHECK_STR(cw_props_get(p, "other"), "q#!");
    CHECK_STR(cw_props_get(p, "u"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    CHECK_STR(cw_props_get(p, "lead"), "  two spaces");
    cw_props_free(p);

    cw_props_t *bad = cw_props_new();
    char err[256] = "";
    const char *text = "ok=1\n\nbad=\\u12G4\n";
    CHECK(cw_props_parse(bad, text, strlen(text), "x.properties", err, sizeof err) == -1);
    CHECK_CONTAINS(err, "x.properties: line 3");
    CHECK_CONTAINS(err, "\\uXXXX");
    cw_props_free(bad);
}

static void test_continuations(void) {
    cw_props_t *p = parse("list=a,\\\n"
                          "     b,\\\n"
                          "\t c\n"
                          "even=ends with backslash\\\\\n"
                          "next=1\n"
                          "odd=three\\\\\\\n"
                          "  more\n"
                          "crlf=x\\\r\n  y\r\n"
                          "cr=1\rlast=\\\n");
    CHECK_STR(cw_props_get(p, "list"), "a,b,c");
    CHECK_STR(cw_props_get(p, "even"), "ends with backslash\\");
    CHECK_STR(cw_props_get(p, "next"), "1");
    CHECK_STR(cw_props_get(p, "odd"), "three\\more");
    CHECK_STR(cw_props_get(p, "crlf"), "xy");
    CHECK_STR(cw_props_get(p, "cr"), "1");
    CHECK_STR(cw_props_get(p, "last"), ""); /* continuation at end of input */
    cw_props_free(p);
}

static void test_overrides_and_api(void) {
    cw_props_t *p = parse("a=1\nb=2\na=3\n");
    CHECK(cw_props_count(p) == 2);
    CHECK_STR(cw_props_get(p, "a"), "3");
    CHECK_STR(cw_props_key_at(p, 0), "a"); /* keeps the first position */
    cw_props_set(p, "c.x", "cx");
    cw_props_set(p, "c.y", "cy");
    cw_props_unset(p, "b");
    CHECK(cw_props_get(p, "b") == NULL);
    CHECK_STR(cw_props_key_at(p, 1), "c.x");
    cw_props_t *sub = cw_props_subset(p, "c.");
    CHECK(cw_props_count(sub) == 2);
    CHECK_STR(cw_props_get(sub, "y"), "cy");
    cw_props_t *copy = cw_props_copy(p);
    cw_props_set(p, "a", "changed");
    CHECK_STR(cw_props_get(copy, "a"), "3");
    cw_props_free(sub);
    cw_props_free(copy);
    cw_props_free(p);
}

static void test_files_and_json(void) {
    char path[512], err[512];
    cw_props_t *p = cw_props_new();
    write_file(tmpdir, "c.properties", "\xEF\xBB\xBFname=file-c\nk=v\n", path, sizeof path);
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK_STR(cw_props_get(p, "name"), "file-c");
    CHECK_STR(cw_props_origin(p), path);
    cw_props_free(p);

    p = cw_props_new();
    write_file(tmpdir, "rest.json",
               "  {\"name\": \"orders\", \"config\": {\"connector.class\": \"FileStreamSink\",\n"
               "   \"tasks.max\": 2, \"ratio\": -89.9787, \"enabled\": true, \"off\": false,\n"
               "   \"unset\": null, \"topics\": [\"a\", \"b\"], \"obj\": {\"x\": 1}}}\n",
               path, sizeof path);
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK_STR(cw_props_get(p, "name"), "orders");
    CHECK_STR(cw_props_get(p, "connector.class"), "FileStreamSink");
    CHECK_STR(cw_props_get(p, "tasks.max"), "2");
    CHECK_STR(cw_props_get(p, "ratio"), "-89.9787");
    CHECK_STR(cw_props_get(p, "enabled"), "true");
    CHECK_STR(cw_props_get(p, "off"), "false");
    CHECK(cw_props_get(p, "unset") == NULL);
    CHECK_STR(cw_props_get(p, "topics"), "a,b");
    CHECK_STR(cw_props_get(p, "obj"), "{\"x\":1}");
    CHECK_STR(cw_props_key_at(p, 0), "connector.class"); /* file order */
    cw_props_free(p);

    p = cw_props_new();
    write_file(tmpdir, "flat.json", "{\"name\": \"flat\", \"config.x\": \"1\"}", path, sizeof path);
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK_STR(cw_props_get(p, "name"), "flat");
    CHECK_STR(cw_props_get(p, "config.x"), "1");
    cw_props_free(p);

    p = cw_props_new();
    write_file(tmpdir, "named.json", "{\"name\": \"outer\", \"config\": {\"name\": \"inner\"}}",
               path, sizeof path);
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK_STR(cw_props_get(p, "name"), "inner");
    cw_props_free(p);

    p = cw_props_new();
    write_file(tmpdir, "broken.json",
               "{\"name\": \"x\",\n \"config\": {\"connection.password\": hunter2}}", path,
               sizeof path);
    CHECK(cw_props_load_file(p, path, err, sizeof err) == -1);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, "line 2");
    CHECK_NOT_CONTAINS(err, "hunter"); /* the text near the error may be a secret */
    cw_props_free(p);

    p = cw_props_new();
    snprintf(path, sizeof path, "%s/does-not-exist.properties", tmpdir);
    CHECK(cw_props_load_file(p, path, err, sizeof err) == -1);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, "No such file");
    cw_props_free(p);
}

static void test_providers(void) {
    char path[512], secrets[512], whole[512], err[512];
    write_file(tmpdir, "secrets.properties", "db.password=s3cr3t-value\nuser=alice\n", secrets,
               sizeof secrets);
    write_file(tmpdir, "token.txt", "tok-123\n", whole, sizeof whole);
    setenv("CW_TEST_REGION", "eu-west-1", 1);
    unsetenv("CW_TEST_UNSET_VAR");

    char text[2048];
    snprintf(text, sizeof text,
             "region=${env:CW_TEST_REGION}\n"
             "url=s3://${env:CW_TEST_REGION}/b/${file:%s:user}\n"
             "connection.password=${file:%s:db.password}\n"
             "api.token=${file:%s}\n"
             "other=${vault:x:y} and ${plain\n"
             "fallback.unset=${env:CW_TEST_UNSET_VAR:-us-west-2}\n"
             "fallback.set=${env:CW_TEST_REGION:-us-west-2}\n"
             "fallback.empty=${env:CW_TEST_UNSET_VAR:-}\n",
             secrets, secrets, whole);
    write_file(tmpdir, "conn.properties", text, path, sizeof path);
    cw_props_t *p = cw_props_new();
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK(cw_props_resolve(p, err, sizeof err) == 0);
    CHECK_STR(cw_props_get(p, "region"), "eu-west-1");
    CHECK_STR(cw_props_get(p, "url"), "s3://eu-west-1/b/alice");
    CHECK_STR(cw_props_get(p, "connection.password"), "s3cr3t-value");
    CHECK_STR(cw_props_get(p, "api.token"), "tok-123");
    CHECK_STR(cw_props_get(p, "other"), "${vault:x:y} and ${plain"); /* unknown: kept */
    /* Our ${env:NAME:-fallback} extension: the fallback only when the variable is unset. */
    CHECK_STR(cw_props_get(p, "fallback.unset"), "us-west-2");
    CHECK_STR(cw_props_get(p, "fallback.set"), "eu-west-1");
    CHECK_STR(cw_props_get(p, "fallback.empty"), "");
    cw_props_free(p);

    /* Missing environment variable: names key, variable and file. */
    write_file(tmpdir, "env.properties", "a=1\naws.secret.access.key=${env:CW_TEST_UNSET_VAR}\n",
               path, sizeof path);
    p = cw_props_new();
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK(cw_props_resolve(p, err, sizeof err) == -1);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, "aws.secret.access.key");
    CHECK_CONTAINS(err, "CW_TEST_UNSET_VAR");
    CHECK_CONTAINS(err, "not set");
    cw_props_free(p);

    /* Missing file and missing key: name the key, the file and the cause, never a value. */
    snprintf(text, sizeof text, "connection.password=${file:%s/nope.properties:pw}\n", tmpdir);
    write_file(tmpdir, "nofile.properties", text, path, sizeof path);
    p = cw_props_new();
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK(cw_props_resolve(p, err, sizeof err) == -1);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, "connection.password");
    CHECK_CONTAINS(err, "nope.properties");
    CHECK_CONTAINS(err, "No such file");
    cw_props_free(p);

    snprintf(text, sizeof text, "pw=${file:%s:missing.key}\n", secrets);
    write_file(tmpdir, "nokey.properties", text, path, sizeof path);
    p = cw_props_new();
    CHECK(cw_props_load_file(p, path, err, sizeof err) == 0);
    CHECK(cw_props_resolve(p, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "pw: ");
    CHECK_CONTAINS(err, "'missing.key' not found");
    CHECK_NOT_CONTAINS(err, "s3cr3t-value");
    cw_props_free(p);
}

/* Issue 18: a NUL byte used to cut values short silently (topics=a<NUL>,b ran on "a"). */
static void test_nul_bytes(void) {
    static const struct {
        const char *text;
        size_t len;
        const char *key, *line;
    } cases[] = {
        {"name=ok\ntopics=a\0,b\n", 20, "key topics", "line 2"},
        {"name=x\0y\n", 10, "key name", "line 1"},
        {"a=1\n\nbootstrap.servers=h:9092\0,evil:1\n", 38, "key bootstrap.servers", "line 3"},
        {"k\\u0000=v\n", 11, "the key contains", "line 1"},
        {"k=\\u0000\n", 10, "the value contains", "line 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cw_props_t *p = cw_props_new();
        char err[512] = "";
        CHECK(cw_props_parse(p, cases[i].text, cases[i].len, "nul.properties", err, sizeof err) ==
              -1);
        CHECK_CONTAINS(err, "nul.properties");
        CHECK_CONTAINS(err, cases[i].line);
        CHECK_CONTAINS(err, cases[i].key);
        CHECK_CONTAINS(err, "NUL byte");
        cw_props_free(p);
    }
    /* JSON connector files: jansson refuses \u0000 and raw NULs; the error names the file. */
    char path[256];
    snprintf(path, sizeof path, "%s/nul.json", tmpdir);
    FILE *f = fopen(path, "wb");
    fwrite("{\"name\": \"x\\u0000y\"}", 1, 21, f);
    fclose(f);
    cw_props_t *p = cw_props_new();
    char err[512] = "";
    CHECK(cw_props_load_file(p, path, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "nul.json");
    cw_props_free(p);
    unlink(path);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_separators_and_whitespace();
    test_comments();
    test_escapes();
    test_continuations();
    test_overrides_and_api();
    test_files_and_json();
    test_providers();
    test_nul_bytes();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    CHECK_DONE();
}
