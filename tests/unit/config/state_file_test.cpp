// The state file's text (config/state_file.h): what it reads back, and every bad input with
// its message and where it is.
#include <gtest/gtest.h>

#include "config/state_file.h"

namespace arbor::config {
namespace {

using Paths = std::vector<std::string>;

TEST(StateFile, RoundTrip) {
  const SavedState state{{"web/api", "db", "a \"quoted\" id/x"}};
  const std::string text = state_text(state);
  EXPECT_EQ(state_text(SavedState{{"web/api", "db"}}),
            "{\"version\":1,\"operator_stopped\":[\"web/api\",\"db\"]}\n");
  const StateParse back = parse_state(text);
  ASSERT_TRUE(back.state) << to_string(*back.error);
  EXPECT_EQ(*back.state, state);
  EXPECT_EQ(parse_state(state_text(SavedState{})).state, SavedState{});
}

TEST(StateFile, DuplicatePathsAreKeptOnceUnknownKeysIgnored) {
  const StateParse r =
      parse_state(R"({"operator_stopped": ["a", "b", "a"], "version": 1, "later": {"x": 1}})");
  ASSERT_TRUE(r.state) << to_string(*r.error);
  EXPECT_EQ(r.state->operator_stopped, (Paths{"a", "b"}));
}

struct Bad {
  const char* name;
  std::string text;
  std::string expected;  // to_string of the diagnostic: "POINTER: message"
};

class StateFileBad : public ::testing::TestWithParam<Bad> {};

TEST_P(StateFileBad, IsRefusedSayingWhatAndWhere) {
  const StateParse r = parse_state(GetParam().text);
  EXPECT_FALSE(r.state);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(to_string(*r.error), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, StateFileBad,
    ::testing::Values(
        Bad{"Empty", "",
            "parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; "
            "expected '[', '{', or a literal"},
        Bad{"Truncated", "{\"version\":1,\"operator_stopped\":[\"a\"",
            "parse error at line 1, column 37: syntax error while parsing array - unexpected end of input; "
            "expected ']'"},
        Bad{"NotAnObject", "[1]", "expected an object, found an array"},
        Bad{"NoVersion", R"({"operator_stopped": []})", "/version: required"},
        Bad{"VersionString", R"({"version": "1", "operator_stopped": []})",
            "/version: expected an integer >= 1, found \"1\""},
        Bad{"VersionZero", R"({"version": 0, "operator_stopped": []})",
            "/version: expected an integer >= 1, found 0"},
        Bad{"VersionFloat", R"({"version": 1.5, "operator_stopped": []})",
            "/version: expected an integer >= 1, found 1.5"},
        Bad{"VersionNewer", R"({"version": 2, "operator_stopped": []})",
            "/version: version 2 is newer than this arbord understands (1): written by a later arbord"},
        Bad{"VersionHuge", R"({"version": 18446744073709551615, "operator_stopped": []})",
            "/version: version 18446744073709551615 is newer than this arbord understands (1): written by "
            "a later arbord"},
        Bad{"NoStops", R"({"version": 1})", "/operator_stopped: required"},
        Bad{"StopsObject", R"({"version": 1, "operator_stopped": {"a": true}})",
            "/operator_stopped: expected an array of paths, found an object"},
        Bad{"StopNumber", R"({"version": 1, "operator_stopped": ["a", "b", 5]})",
            "/operator_stopped/2: expected a path (a non-empty string), found 5"},
        Bad{"StopEmpty", R"({"version": 1, "operator_stopped": [""]})",
            "/operator_stopped/0: expected a path (a non-empty string), found \"\""},
        Bad{"DuplicateKey", R"({"version": 1, "version": 1, "operator_stopped": []})",
            "duplicate key \"version\""},
        Bad{"TooDeep", std::string(100, '['), "nesting deeper than 64 levels at line 1, column 65"}),
    [](const ::testing::TestParamInfo<Bad>& info) { return std::string(info.param.name); });

TEST(StateFile, Key) {
  LoadOptions options;
  options.base_dir = "/srv/tree";
  LoadResult r = load_text(R"({"state_file": "state/arbord.state", "root": {}})", options);
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(r.tree->state_file, "/srv/tree/state/arbord.state") << "relative: to the config's directory";
  EXPECT_EQ(state_file_path(*r.tree), "/srv/tree/state/arbord.state");
  r = load_text(R"({"socket": "/run/x/arbord.sock", "root": {}})", options);
  ASSERT_TRUE(r.tree);
  EXPECT_EQ(state_file_path(*r.tree), "/run/x/arbord.state") << "default: beside the socket";
  r = load_text(R"({"state_file": 5, "root": {}})", options);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(to_string(r.errors[0]), "/state_file: expected a non-empty string, found 5");
  r = load_text(R"({"state_file": "", "root": {}})", options);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(to_string(r.errors[0]), "/state_file: expected a non-empty string, found \"\"");
}

}  // namespace
}  // namespace arbor::config
