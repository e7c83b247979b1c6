// Golden files: tests/golden/config/NAME.json is loaded and its diagnostics compared,
// line by line, with NAME.expected ("ok" for a clean file; warnings prefixed "warning: ").
// ARBOR_UPDATE_GOLDEN=1 rewrites the .expected files: review the diff before keeping it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.h"

namespace arbor::config::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(ARBOR_GOLDEN_DIR))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string actual_text(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += to_string(e) + "\n";
  for (const auto& w : r.warnings) out += "warning: " + to_string(w) + "\n";
  return out.empty() ? "ok\n" : out;
}

class ConfigGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigGolden, Diagnostics) {
  const fs::path base = fs::path(ARBOR_GOLDEN_DIR) / GetParam();
  const std::string actual = actual_text(load_file(base.string() + ".json", options()));
  const std::string expected_path = base.string() + ".expected";
  if (const char* update = std::getenv("ARBOR_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(expected_path) << actual;
    return;
  }
  std::ifstream in(expected_path);
  ASSERT_TRUE(in) << "missing " << expected_path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str());
}

TEST(ConfigGoldenFiles, Present) { EXPECT_GE(golden_names().size(), 15u); }

INSTANTIATE_TEST_SUITE_P(Files, ConfigGolden, ::testing::ValuesIn(golden_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace arbor::config::test
