// config::Argv, the packed argv of a worker's spec (config/argv.h).
#include "config/argv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace arbor::config {
namespace {

TEST(Argv, ReadsBackWhatWasWrittenInOrder) {
  const Argv a{"/bin/sh", "-c", "", "echo hi"};
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], "/bin/sh");
  EXPECT_EQ(a[2], "");  // an empty argument is kept
  EXPECT_EQ(a[3], "echo hi");
  EXPECT_EQ(a.front(), "/bin/sh");
  EXPECT_EQ(a, (std::vector<std::string>{"/bin/sh", "-c", "", "echo hi"}));
  EXPECT_EQ(a.to_vector(), (std::vector<std::string>{"/bin/sh", "-c", "", "echo hi"}));
}

TEST(Argv, EmptyHasNoArguments) {
  const Argv a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.begin(), a.end());
  EXPECT_EQ(a, std::vector<std::string>{});
}

TEST(Argv, AppendInsertAndSet) {
  Argv a{"/bin/true"};
  a.append(std::vector<std::string>{"--n", "5"});  // a dynamic child's extra arguments
  EXPECT_EQ(a, (std::vector<std::string>{"/bin/true", "--n", "5"}));
  a.insert(1, {"--ready-fd", "3"});
  EXPECT_EQ(a, (std::vector<std::string>{"/bin/true", "--ready-fd", "3", "--n", "5"}));
  a.insert(a.size(), {"last"});
  EXPECT_EQ(a[5], "last");
  a.set(0, "/usr/bin/true");
  a.set(5, "");
  EXPECT_EQ(a, (std::vector<std::string>{"/usr/bin/true", "--ready-fd", "3", "--n", "5", ""}));
  a.set(a.size(), "appended");
  EXPECT_EQ(a[6], "appended");
  EXPECT_EQ(a.size(), 7u);
}

TEST(Argv, AnArgumentIsCutAtANulAsExecveWouldSeeIt) {
  Argv a;
  a.push_back(std::string("ab\0cd", 5));
  a.push_back("e");
  EXPECT_EQ(a, (std::vector<std::string>{"ab", "e"}));
}

TEST(Argv, EqualityIsByArguments) {
  EXPECT_EQ((Argv{"a", "bc"}), (Argv{"a", "bc"}));
  EXPECT_NE((Argv{"a", "bc"}), (Argv{"ab", "c"}));  // the NUL separates: no false match
  EXPECT_FALSE((Argv{"a"}) == (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace arbor::config
