// Bad inputs and their exact diagnostics, one concept per case.
#include <gtest/gtest.h>

#include "test_util.h"

namespace arbor::config::test {
namespace {

struct BadInput {
  const char* name;
  std::string json;
  std::vector<std::string> expected;
};

std::string child(const std::string& members) { return with_children("{" + members + "}"); }
std::string w(const std::string& members) {
  return child(R"("id": "w", "command": ["/bin/sh"], )" + members);
}

const std::vector<BadInput>& cases() {
  static const std::vector<BadInput> all = {
      {"NotAnObject", "[1]", {"expected an object, found an array"}},
      {"MissingRoot", "{}", {"/root: required"}},
      {"RootNotObject", R"({"root": []})", {"/root: expected an object, found []"}},
      {"UnknownTopKey", R"({"root": {}, "roots": 1})", {"/roots: unknown key"}},
      {"EmptySocket", R"({"socket": "", "root": {}})", {"/socket: expected a non-empty string, found \"\""}},
      {"LongSocket",
       R"({"socket": ")" + std::string(108, 's') + R"(", "root": {}})",
       {"/socket: expected at most 107 bytes (the limit of a Unix socket path), found 108 bytes"}},
      {"EmptyLogDir",
       R"({"log_dir": "", "root": {}})",
       {"/log_dir: expected a non-empty string, found \"\""}},
      {"LogsMaxBytesZero",
       R"({"logs": {"max_bytes": 0}, "root": {}})",
       {"/logs/max_bytes: expected an integer >= 1, found 0"}},
      {"LogsKeepTooLarge",
       R"({"logs": {"keep": 1001}, "root": {}})",
       {"/logs/keep: expected an integer from 0 to 1000, found 1001"}},
      {"LogsUnknownKey", R"({"logs": {"size": 1}, "root": {}})", {"/logs/size: unknown key"}},
      {"RootId", R"({"root": {"id": "x"}})", {"/root/id: not allowed on the root supervisor"}},
      {"RootRestart",
       R"({"root": {"restart": "transient"}})",
       {"/root/restart: not allowed on the root supervisor"}},
      {"RootType",
       R"({"root": {"type": "worker"}})",
       {"/root/type: expected \"supervisor\" (the root is a supervisor), found \"worker\""}},
      {"RootTemplate", R"({"root": {"template": {}}})", {"/root/template: unknown key for a supervisor"}},
      {"ChildrenNotArray", R"({"root": {"children": {}}})", {"/root/children: expected an array, found {}"}},
      {"ChildNotObject", with_children("5"), {"/root/children/0: expected an object, found 5"}},
      {"MissingId", with_children(R"({"command": ["/bin/sh"]})"), {"/root/children/0/id: required"}},
      {"BadIdChars",
       child(R"("id": "a b", "command": ["/bin/sh"])"),
       {"/root/children/0/id: expected 1 to 64 characters of [A-Za-z0-9_.-], found \"a b\""}},
      {"EmptyId",
       child(R"("id": "", "command": ["/bin/sh"])"),
       {"/root/children/0/id: expected 1 to 64 characters of [A-Za-z0-9_.-], found \"\""}},
      {"LongId",
       child(R"("id": ")" + std::string(65, 'a') + R"(", "command": ["/bin/sh"])"),
       {"/root/children/0/id: expected 1 to 64 characters of [A-Za-z0-9_.-], found "
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"... (65 bytes)"}},
      {"NumericId",
       child(R"("id": 7, "command": ["/bin/sh"])"),
       {"/root/children/0/id: expected 1 to 64 characters of [A-Za-z0-9_.-], found 7"}},
      {"DuplicateId",
       with_children(R"({"id": "db", "command": ["/bin/sh"]}, {"id": "x", "command": ["/bin/sh"]},
                        {"id": "db", "command": ["/bin/sh"]})"),
       {"/root/children/2/id: duplicate id \"db\" (first at /root/children/0/id)"}},
      {"BadType",
       child(R"("id": "a", "type": "daemon", "command": ["/bin/sh"])"),
       {"/root/children/0/type: expected \"worker\", \"supervisor\" or \"dynamic_supervisor\", found "
        "\"daemon\""}},
      {"BadRestart",
       w(R"("restart": "always")"),
       {"/root/children/0/restart: expected \"permanent\", \"transient\" or \"temporary\", found "
        "\"always\""}},
      {"BadShutdownString",
       w(R"("shutdown": "soon")"),
       {"/root/children/0/shutdown: expected \"brutal_kill\", \"infinity\" or milliseconds >= 0, found "
        "\"soon\""}},
      {"NegativeShutdown",
       w(R"("shutdown": -1)"),
       {"/root/children/0/shutdown: expected \"brutal_kill\", \"infinity\" or milliseconds >= 0, found -1"}},
      {"FloatShutdown",
       w(R"("shutdown": 5.0)"),
       {"/root/children/0/shutdown: expected \"brutal_kill\", \"infinity\" or milliseconds >= 0, found 5.0"}},
      {"HugeShutdown",
       w(R"("shutdown": 99999999999)"),
       {"/root/children/0/shutdown: expected \"brutal_kill\", \"infinity\" or milliseconds from 0 to "
        "2147483647, "
        "found 99999999999"}},
      {"SignificantNotBool",
       w(R"("restart": "transient", "significant": "yes")"),
       {"/root/children/0/significant: expected true or false, found \"yes\""}},
      {"MissingCommand", child(R"("id": "w")"), {"/root/children/0/command: required"}},
      {"EmptyCommand",
       child(R"("id": "w", "command": [])"),
       {"/root/children/0/command: expected a non-empty array of strings, found []"}},
      {"CommandString",
       child(R"("id": "w", "command": "/bin/sh")"),
       {"/root/children/0/command: expected a non-empty array of strings, found \"/bin/sh\""}},
      {"CommandArgNotString",
       child(R"("id": "w", "command": ["/bin/sh", 1, null])"),
       {"/root/children/0/command/1: expected a string, found 1",
        "/root/children/0/command/2: expected a string, found null"}},
      {"CommandNotOnPath",
       child(R"("id": "w", "command": ["redis-no-such"])"),
       {"/root/children/0/command/0: \"redis-no-such\" not found on PATH"}},
      {"CommandRelativeWithSlash",
       child(R"("id": "w", "command": ["bin/app"])"),
       {"/root/children/0/command/0: expected an absolute path or a bare name to look up on PATH, found "
        "\"bin/app\""}},
      {"CommandMissingFile",
       child(R"("id": "w", "command": ["/no/such/app"])"),
       {"/root/children/0/command/0: \"/no/such/app\" does not exist"}},
      {"CommandNotExecutable",
       child(R"("id": "w", "command": ["/etc/passwd"])"),
       {"/root/children/0/command/0: \"/etc/passwd\" is not executable"}},
      {"CommandDirectory",
       child(R"("id": "w", "command": ["/usr/bin"])"),
       {"/root/children/0/command/0: \"/usr/bin\" is not a regular file"}},
      {"CommandEmptyName",
       child(R"("id": "w", "command": [""])"),
       {"/root/children/0/command/0: expected a non-empty string, found \"\""}},
      {"CommandNul",
       child(R"("id": "w", "command": ["/bin/sh", "a\u0000b"])"),
       {"/root/children/0/command/1: expected a string without NUL characters, found \"a\\u0000b\""}},
      {"EnvNotObject", w(R"("env": ["A=1"])"), {"/root/children/0/env: expected an object, found an array"}},
      {"EnvValueNotString", w(R"("env": {"A": 1})"), {"/root/children/0/env/A: expected a string, found 1"}},
      {"EnvKeyWithEquals",
       w(R"("env": {"A=B": "1"})"),
       {"/root/children/0/env/A=B: expected a variable name: non-empty, without \"=\" or NUL"}},
      {"RelativeCwd",
       w(R"("cwd": "tmp")"),
       {"/root/children/0/cwd: expected an absolute path, found \"tmp\""}},
      {"CwdMissing",
       w(R"("cwd": "/no/such/dir")"),
       {"/root/children/0/cwd: \"/no/such/dir\" does not exist"}},
      {"CwdNotDirectory",
       w(R"("cwd": "/etc/passwd")"),
       {"/root/children/0/cwd: \"/etc/passwd\" is not a directory"}},
      {"UnknownUser",
       w(R"("user": "no-such-user-x")"),
       {"/root/children/0/user: unknown user \"no-such-user-x\""}},
      {"UserNotString",
       w(R"("user": true)"),
       {"/root/children/0/user: expected a user name or numeric id, found true"}},
      {"NegativeUid",
       w(R"("user": -1)"),
       {"/root/children/0/user: expected a user name or an integer from 0 to 4294967294, found -1"}},
      {"UidWithoutEntry",
       w(R"("user": "4243")"),
       {"/root/children/0/user: uid 4243 has no passwd entry, so \"group\" is required"}},
      {"UnknownGroup",
       w(R"("group": "no-such-group-x")"),
       {"/root/children/0/group: unknown group \"no-such-group-x\""}},
      {"UmaskNotOctal",
       w(R"("umask": "089")"),
       {"/root/children/0/umask: expected an octal string like \"022\" or an integer from 0 to 511, found "
        "\"089\""}},
      {"UmaskTooLarge",
       w(R"("umask": 512)"),
       {"/root/children/0/umask: expected an octal string like \"022\" or an integer from 0 to 511, found "
        "512"}},
      {"UmaskTooLong",
       w(R"("umask": "00022")"),
       {"/root/children/0/umask: expected an octal string like \"022\" or an integer from 0 to 511, found "
        "\"00022\""}},
      {"BadSignalName",
       w(R"("stop_signal": "SIGFOO")"),
       {"/root/children/0/stop_signal: expected a signal name like \"TERM\" or a number from 1 to 64, found "
        "\"SIGFOO\""}},
      {"SignalZero",
       w(R"("stop_signal": 0)"),
       {"/root/children/0/stop_signal: expected a signal name like \"TERM\" or a number from 1 to 64, found "
        "0"}},
      {"SignalTooLarge",
       w(R"("stop_signal": 65)"),
       {"/root/children/0/stop_signal: expected a signal name like \"TERM\" or a number from 1 to 64, found "
        "65"}},
      {"EmptyExitCodes",
       w(R"("success_exit_codes": [])"),
       {"/root/children/0/success_exit_codes: expected a non-empty array of integers from 0 to 255, found "
        "[]"}},
      {"ExitCodeOutOfRange",
       w(R"("success_exit_codes": [0, 256, -1])"),
       {"/root/children/0/success_exit_codes/1: expected an integer from 0 to 255, found 256",
        "/root/children/0/success_exit_codes/2: expected an integer from 0 to 255, found -1"}},
      {"BackoffMissingKeys",
       w(R"("backoff": {})"),
       {"/root/children/0/backoff/initial_ms: required", "/root/children/0/backoff/max_ms: required"}},
      {"BackoffMaxBelowInitial",
       w(R"("backoff": {"max_ms": 5, "initial_ms": 10})"),
       {"/root/children/0/backoff/max_ms: expected an integer >= 10 (initial_ms), found 5"}},
      {"BackoffZero",
       w(R"("backoff": {"initial_ms": 0, "max_ms": 1})"),
       {"/root/children/0/backoff/initial_ms: expected an integer >= 1, found 0"}},
      {"BadStdout",
       w(R"("stdout": "syslog")"),
       {"/root/children/0/stdout: expected \"log\", \"inherit\", \"null\" or {\"file\": PATH}, found "
        "\"syslog\""}},
      {"StderrFileRelative",
       w(R"("stderr": {"file": "err.log"})"),
       {"/root/children/0/stderr/file: expected an absolute path, found \"err.log\""}},
      {"StdoutFileMissing",
       w(R"("stdout": {"path": "/tmp/x"})"),
       {"/root/children/0/stdout/path: unknown key", "/root/children/0/stdout/file: required"}},
      {"ReadyNeither",
       w(R"("ready": {"timeout": 5})"),
       {"/root/children/0/ready: expected exactly one of \"notify\", \"fd\", \"tcp\", \"http\" and "
        "\"exec\""}},
      {"ReadyBoth",
       w(R"("ready": {"notify": true, "fd": 3})"),
       {"/root/children/0/ready: expected exactly one of \"notify\", \"fd\", \"tcp\", \"http\" and "
        "\"exec\""}},
      {"ReadyNotifyFalse",
       w(R"("ready": {"notify": false})"),
       {"/root/children/0/ready/notify: expected true, found false"}},
      {"ReadyFdStdio",
       w(R"("ready": {"fd": 2})"),
       {"/root/children/0/ready/fd: expected an integer from 3 to 1023, found 2"}},
      {"ReadyTimeoutZero",
       w(R"("ready": {"notify": true, "timeout": 0})"),
       {"/root/children/0/ready/timeout: expected an integer >= 1, found 0"}},
      {"SupervisorKeyOnWorker",
       w(R"("strategy": "one_for_all")"),
       {"/root/children/0/strategy: unknown key for a worker"}},
      {"WorkerKeyOnSupervisor",
       child(R"("id": "s", "type": "supervisor", "command": ["/bin/sh"])"),
       {"/root/children/0/command: unknown key for a supervisor"}},
      {"ChildrenOnDynamicSupervisor",
       child(R"("id": "d", "type": "dynamic_supervisor", )"
             R"("children": [], "template": {"command": ["/bin/sh"]})"),
       {"/root/children/0/children: unknown key for a dynamic_supervisor"}},
      {"UnknownChildKey", w(R"("colour": "red")"), {"/root/children/0/colour: unknown key"}},
      {"BadStrategy",
       child(R"("id": "s", "type": "supervisor", "strategy": "one_for_rest")"),
       {"/root/children/0/strategy: expected \"one_for_one\", \"one_for_all\" or \"rest_for_one\", found "
        "\"one_for_rest\""}},
      {"MaxRestartsFloat",
       R"({"root": {"max_restarts": 3.5}})",
       {"/root/max_restarts: expected an integer >= 0, found 3.5"}},
      {"MaxSecondsZero",
       R"({"root": {"max_seconds": 0}})",
       {"/root/max_seconds: expected an integer >= 1, found 0"}},
      {"MaxSecondsString",
       R"({"root": {"max_seconds": "5"}})",
       {"/root/max_seconds: expected an integer >= 1, found \"5\""}},
      {"MaxRestartsHuge",
       R"({"root": {"max_restarts": 99999999999999999999}})",
       {"/root/max_restarts: expected an integer >= 0, found 1e+20"}},
      {"MaxRestartsUint64",
       R"({"root": {"max_restarts": 18446744073709551615}})",
       {"/root/max_restarts: expected an integer from 0 to 2147483647, found 18446744073709551615"}},
      {"BadAutoShutdown",
       R"({"root": {"auto_shutdown": "always"}})",
       {"/root/auto_shutdown: expected \"never\", \"any_significant\" or \"all_significant\", found "
        "\"always\""}},
      {"BadAutoShutdownExitCode",
       R"({"auto_shutdown_exit_code": "last", "root": {}})",
       {"/auto_shutdown_exit_code: expected \"zero\" or \"child\", found \"last\""}},
      {"AutoShutdownExitCodeNumber",
       R"({"auto_shutdown_exit_code": 0, "root": {}})",
       {"/auto_shutdown_exit_code: expected \"zero\" or \"child\", found 0"}},
      {"MissingTemplate",
       child(R"("id": "d", "type": "dynamic_supervisor")"),
       {"/root/children/0/template: required"}},
      {"TemplateWithId",
       child(R"("id": "d", "type": "dynamic_supervisor", "template": {"id": "t", "command": ["/bin/sh"]})"),
       {"/root/children/0/template/id: not allowed in a template (its children get the ids 1, 2, ...)"}},
      {"TemplateSupervisor",
       child(R"("id": "d", "type": "dynamic_supervisor", )"
             R"("template": {"type": "supervisor", "command": ["/bin/sh"]})"),
       {"/root/children/0/template/type: expected \"worker\" (a template is a worker spec), found "
        "\"supervisor\""}},
      {"TemplateWithoutCommand",
       child(R"("id": "d", "type": "dynamic_supervisor", "template": {"restart": "temporary"})"),
       {"/root/children/0/template/command: required"}},
      {"MaxChildrenNegative",
       child(R"("id": "d", "type": "dynamic_supervisor", )"
             R"("max_children": -1, "template": {"command": ["/bin/sh"]})"),
       {"/root/children/0/max_children: expected \"infinity\" or an integer >= 0, found -1"}},
      {"SignificantPermanent",
       with_children(R"({"id": "w", "command": ["/bin/sh"], "significant": true})"),
       {"/root/children/0/significant: not allowed on a permanent child (make it \"transient\" or "
        "\"temporary\")"}},
      {"SignificantUnderNever",
       R"({"root": {"children": [{"id": "w", "command": ["/bin/sh"], "significant": true,
          "restart": "transient"}]}})",
       {"/root/children/0/significant: not allowed under a supervisor whose auto_shutdown is \"never\""}},
      {"SignificantBoth",
       R"({"root": {"children": [{"id": "w", "command": ["/bin/sh"], "significant": true}]}})",
       {"/root/children/0/significant: not allowed on a permanent child (make it \"transient\" or "
        "\"temporary\")",
        "/root/children/0/significant: not allowed under a supervisor whose auto_shutdown is \"never\""}},
      {"SignificantTemplateUnderNever",
       child(R"("id": "d", "type": "dynamic_supervisor", )"
             R"("template": {"command": ["/bin/sh"], "restart": "temporary", "significant": true})"),
       {"/root/children/0/template/significant: not allowed under a supervisor whose auto_shutdown is "
        "\"never\""}},
      {"DuplicateKey",
       w(R"("restart": "transient", "restart": "temporary")"),
       {"/root/children/0: duplicate key \"restart\""}},
      {"KeyWithSlashAndTilde", w(R"("a/b~c": 1)"), {"/root/children/0/a~1b~0c: unknown key"}},
      {"KeyWithNewline", w(R"("a\nb": 1)"), {"/root/children/0/a\\u000Ab: unknown key"}},
      {"SiblingErrorsAllReported",
       w(R"("shutdown": "x", "restart": "y")"),
       {"/root/children/0/shutdown: expected \"brutal_kill\", \"infinity\" or milliseconds >= 0, found \"x\"",
        "/root/children/0/restart: expected \"permanent\", \"transient\" or \"temporary\", found \"y\""}},
      {"InvalidTypeSilencesTypeKeys",
       child(R"("id": "a", "type": 3, "strategy": "x", "colour": 1)"),
       {"/root/children/0/type: expected \"worker\", \"supervisor\" or \"dynamic_supervisor\", found 3",
        "/root/children/0/colour: unknown key"}},
      {"ParseError",
       "{\n  \"root\": {\n    x\n}",
       {"parse error at line 3, column 5: syntax error while parsing object "
        "key - invalid literal; last read: '\"root\": {<U+000A>    x'; expected string literal"}},
      {"ErrorAfterComments",
       "// why: a hand-edited file\n{ /* the tree */\n  \"root\": { x }\n}",
       {"parse error at line 3, column 13: syntax error while parsing object key - invalid literal; last "
        "read: "
        "'\"root\": { x'; expected string literal"}},
      {"UnterminatedComment",
       "{\"root\": {}} /* no end",
       {"parse error at line 1, column 23: syntax error while parsing value - invalid comment; missing "
        "closing '*/'; "
        "last read: '\"root\": {}} /* no end'; expected end of input"}},
      {"TrailingComma",
       R"({"root": {},})",
       {"parse error at line 1, column 13: syntax error while parsing object key "
        "- unexpected '}'; expected string literal"}},
      {"Empty",
       "",
       {"parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; "
        "expected '[', '{', or a literal"}},
      {"NumberOverflow",
       R"({"root": {"max_restarts": 1e400}})",
       {"parse error at line 1, column 27: number overflow parsing '1e400'"}},
      {"InvalidUtf8",
       "{\"root\": {}, \"socket\": \"\xff\"}",
       {"parse error at line 1, column 25: syntax error while parsing value - invalid string: ill-formed "
        "UTF-8 "
        "byte; last read: '\"\\xFF'"}},
  };
  return all;
}

// Keeps gtest from dumping the struct's bytes when a case fails.
void PrintTo(const BadInput& b, std::ostream* os) { *os << b.name; }

class ConfigErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(ConfigErrors, ExactMessages) {
  const LoadResult r = load_text(GetParam().json, options());
  EXPECT_EQ(texts(r.errors), GetParam().expected);
  EXPECT_FALSE(r.tree);
}

INSTANTIATE_TEST_SUITE_P(All, ConfigErrors, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<BadInput>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace arbor::config::test
