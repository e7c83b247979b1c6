// (e) arbord killed by SIGKILL. Worker leaders have PR_SET_PDEATHSIG(SIGKILL), so they die
// with arbord; their descendants survive it (they are orphans, here reparented to this
// test process, a subreaper), and the next arbord on the same socket kills them, from the
// record `<socket>.groups`, before it starts anything.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

TEST(Kill9, LeadersDieWithArbordAndTheNextArbordRemovesTheirDescendants) {
  ArbordInstance first;
  const json config = {
      {"socket", first.path("arbord.sock")},
      {"log_dir", first.path("logs")},
      {"root",
       {{"children",
         json::array({child("forker", {"--fork", "5", "--ready-fd", "3"}, {{"ready", {{"fd", 3}}}}),
                      child("steady", {})})}}}};
  first.start(config);
  ASSERT_TRUE(first.await_ready());
  const auto forker = first.pid_of("forker");
  const auto steady = first.pid_of("steady");
  ASSERT_TRUE(forker && steady);
  std::vector<pid_t> grandchildren = group_members(*forker);
  std::erase(grandchildren, *forker);
  ASSERT_EQ(grandchildren.size(), 5u);

  first.signal(SIGKILL);
  EXPECT_EQ(first.wait_exit(), 128 + SIGKILL);
  // pdeathsig: the leaders die with arbord (they become zombies of this test process).
  EXPECT_TRUE(poll_until([&] { return dead(*forker) && dead(*steady); }, 1s)) << "a worker outlived arbord";
  for (pid_t g : grandchildren) EXPECT_FALSE(dead(g)) << "grandchild " << g << " should still run";
  EXPECT_TRUE(std::filesystem::exists(first.path("arbord.sock.groups")));

  // The next arbord on the same config kills the leftovers before it starts anything.
  ArbordInstance second;
  second.start(config, {}, Watch::from_boot);
  // The log line is what this tests (arbord's own account of the cleanup), and that it
  // comes before the control socket is up, which is before anything starts (docs/ARBORD.md).
  second.await(" killed leftover process group " + std::to_string(*forker) + " ");
  second.await(R"(control: listening on)");  // after the line above, or this await fails
  second.await_event({{"event", "started"}, {"path", "forker"}});
  for (pid_t g : grandchildren) {
    int status = 0;
    pid_t got = 0;
    EXPECT_TRUE(poll_until([&] { return (got = waitpid(g, &status, WNOHANG)) == g; }, 5s)) << g;
    EXPECT_TRUE(got == g && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "grandchild " << g;
  }
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(), 0);
  EXPECT_TRUE(second.no_survivors());
  // A clean stop leaves nothing to clean up.
  EXPECT_FALSE(std::filesystem::exists(first.path("arbord.sock.groups")));
}

// A second arbord on the socket of a live one must not touch the live one's workers.
TEST(Kill9, ASecondArbordLeavesTheLiveOnesGroupsAlone) {
  ArbordInstance live;
  const json config = {{"socket", live.path("arbord.sock")},
                       {"log_dir", live.path("logs")},
                       {"root", {{"children", json::array({child("w", {})})}}}};
  live.start(config, {}, Watch::from_boot);
  ASSERT_TRUE(live.await_ready());
  const auto w = live.pid_of("w");
  ASSERT_TRUE(w);
  ArbordInstance intruder;
  intruder.start(config);
  EXPECT_EQ(intruder.wait_exit(), 1);  // another arbord is live on the socket
  EXPECT_TRUE(intruder.matching("killed leftover").empty());
  EXPECT_FALSE(dead(*w));
  EXPECT_TRUE(live.events_matching({{"event", "exited"}, {"path", "w"}}).empty());
  live.signal(SIGTERM);
  EXPECT_EQ(live.wait_exit(), 0);
  EXPECT_TRUE(live.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
