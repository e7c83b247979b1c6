// Hostile inputs: the loader must answer with diagnostics, never crash or throw.
#include <gtest/gtest.h>

#include "test_util.h"

namespace arbor::config::test {
namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ConfigLimits, HundredThousandLevelsOfNesting) {
  const std::string text = R"({"root": {}, "x": )" + nested_arrays(100000) + "}";
  EXPECT_EQ(errors_of(text), std::vector<std::string>{"nesting deeper than 64 levels at line 1, column 82"});
}

TEST(ConfigLimits, DepthBoundary) {
  // The top object is level 1, so 63 arrays inside it reach 64: allowed (and then
  // rejected as an unknown key); 64 arrays are one level too many.
  EXPECT_EQ(errors_of(R"({"root": {}, "x": )" + nested_arrays(63) + "}"),
            std::vector<std::string>{"/x: unknown key"});
  EXPECT_EQ(errors_of(R"({"root": {}, "x": )" + nested_arrays(64) + "}"),
            std::vector<std::string>{"nesting deeper than 64 levels at line 1, column 82"});
}

TEST(ConfigLimits, NestingInsideStringsDoesNotCount) {
  const std::string text =
      R"({"root": {}, "socket": "/)" + std::string(50, '[') + R"(\"[[", "x": )" + nested_arrays(70) + "}";
  EXPECT_EQ(errors_of(text), std::vector<std::string>{"nesting deeper than 64 levels at line 1, column 151"});
}

TEST(ConfigLimits, DeepJsonGivenToLoadChild) {
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 100; ++i) deep = nlohmann::json::array({deep});
  const ChildResult r =
      load_child({{"id", "a"}, {"command", {"/bin/sh"}}, {"env", deep}}, "/spec", options());
  EXPECT_FALSE(r.child);
  EXPECT_EQ(texts(r.errors), std::vector<std::string>{"/spec: nesting deeper than 64 levels"});
}

TEST(ConfigLimits, OneMebibyteStringIsFine) {
  const std::string big(1 << 20, 'x');
  const LoadResult r = load_text(with_children(R"({"id": "w", "command": ["/bin/sh", ")" + big +
                                               R"("], "env": {"BIG": ")" + big + R"("}})"),
                                 options());
  ASSERT_TRUE(r.tree) << ::testing::PrintToString(texts(r.errors));
  EXPECT_EQ(r.tree->root.supervisor->children[0].worker.command[1].size(), big.size());
  EXPECT_EQ(r.tree->root.supervisor->children[0].worker.env[0].second.size(), big.size());
}

TEST(ConfigLimits, OneMebibyteStringIsShortInMessages) {
  const std::string big(1 << 20, 'y');
  EXPECT_EQ(errors_of(R"({"root": {"strategy": ")" + big + R"("}, ")" + big + R"(": 1})"),
            (std::vector<std::string>{
                "/root/strategy: expected \"one_for_one\", \"one_for_all\" or \"rest_for_one\", found "
                "\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"... (1048576 bytes)",
                "/" + std::string(64, 'y') + "...: unknown key"}));
}

TEST(ConfigLimits, UnterminatedHugeStringKeepsTheMessageShort) {
  const auto errors = errors_of(R"({"root": ")" + std::string(1 << 20, 'z'));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_LT(errors[0].size(), 300u);
  EXPECT_TRUE(errors[0].starts_with("parse error at line 1, column 1048587: ")) << errors[0];
}

TEST(ConfigLimits, InvalidUtf8FromACallersDom) {
  // nlohmann::json can hold bytes its own parser would refuse; the messages must stay valid UTF-8.
  const ChildResult r = load_child({{"id", "a\xff"}, {"command", {"/bin/sh"}}, {"k\xc3", 1}}, "", options());
  EXPECT_EQ(texts(r.errors), (std::vector<std::string>{
                                 "/id: expected 1 to 64 characters of [A-Za-z0-9_.-], found \"a\\\\xFF\"",
                                 "/k\\xC3: unknown key"}));
  for (const auto& e : texts(r.errors)) EXPECT_NO_THROW((void)nlohmann::json(e).dump());
}

TEST(ConfigLimits, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(
      errors_of("{\"socket\": \"\xc3\xa9\xc3\xa9\", x}"),
      std::vector<std::string>{"parse error at line 1, column 18: syntax error while parsing object key - "
                               "invalid literal; last read: '\"éé\", x'; expected string literal"});
}

TEST(ConfigLimits, ByteOrderMarkIsSkipped) { EXPECT_TRUE(errors_of("\xef\xbb\xbf{\"root\": {}}").empty()); }

TEST(ConfigLimits, ManyErrorsInManyChildren) {
  std::string children;
  for (int i = 0; i < 1000; ++i) children += std::string(i ? "," : "") + R"({"id": "x", "command": []})";
  const auto errors = errors_of(with_children(children));
  ASSERT_EQ(errors.size(), 1999u);  // 1000 bad commands, 999 duplicate ids
  EXPECT_EQ(errors[1], "/root/children/1/id: duplicate id \"x\" (first at /root/children/0/id)");
}

}  // namespace
}  // namespace arbor::config::test
