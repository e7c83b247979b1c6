// (h) Privilege drop as root: a worker with "user" runs with that uid, its primary gid, and
// no supplementary group but that gid, even when the user belongs to other groups; an
// unknown user or group is a configuration error (exit 2, naming the JSON path), found by
// --check and before anything starts, never a failure at spawn.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

using nlohmann::json;

// A user that is a member of some group besides its primary one.
std::optional<passwd> user_with_supplementary_groups() {
  std::optional<passwd> found;
  setgrent();
  while (group* g = getgrent()) {
    for (char** m = g->gr_mem; m != nullptr && *m != nullptr && !found; ++m) {
      const passwd* pw = getpwnam(*m);
      if (pw != nullptr && pw->pw_uid != 0 && pw->pw_gid != g->gr_gid) found = *pw;
    }
    if (found) break;
  }
  endgrent();
  return found;
}

TEST(Privilege, SupplementaryGroupsAreCleared) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  const auto user = user_with_supplementary_groups();
  if (!user) GTEST_SKIP() << "no user on this machine has supplementary groups";
  const std::string name = user->pw_name;
  const uid_t uid = user->pw_uid;
  const gid_t gid = user->pw_gid;
  ArbordInstance arbord;
  arbord.start({{"root",
                 {{"children", json::array({child("ids", {"--print-ids", "--after", "50"},
                                                  {{"user", name}, {"restart", "transient"}}),
                                            child("steady", {})})}}}},
               {}, Watch::from_boot);
  arbord.await_event({{"event", "exited"}, {"path", "ids"}, {"exit", {{"code", 0}}}, {"reason", "normal"}});
  std::ifstream in(arbord.path("logs/ids.log"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "uid=" + std::to_string(uid) + " gid=" + std::to_string(gid) + " groups=" + std::to_string(gid))
      << "user " << name;
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

json bad_ids_tree() {
  return {
      {"root",
       {{"children", json::array({child("a", {}, {{"user", "arbor-no-such-user"}}),
                                  child("b", {}, {{"group", "arbor-no-such-group"}}), child("c", {})})}}}};
}

TEST(Privilege, UnknownUserOrGroupIsAConfigErrorAtCheck) {
  ArbordInstance arbord;
  {
    json tree = bad_ids_tree();
    tree["socket"] = arbord.path("arbord.sock");
    tree["log_dir"] = arbord.path("logs");
    std::ofstream(arbord.path("bad.json")) << tree.dump(2);
  }
  std::string out;
  const int rc = run_command(std::string(ARBORD_BIN) + " --check --config " + arbord.path("bad.json"), out);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("/root/children/0/user: unknown user \"arbor-no-such-user\""), std::string::npos) << out;
  EXPECT_NE(out.find("/root/children/1/group: unknown group \"arbor-no-such-group\""), std::string::npos)
      << out;
}

TEST(Privilege, UnknownUserOrGroupStopsArbordBeforeAnythingStarts) {
  ArbordInstance arbord;
  arbord.start(bad_ids_tree());
  EXPECT_EQ(arbord.wait_exit(), 2);
  // The log: the error's text is what is tested, and a config error ends arbord before
  // its socket is up, so no event could tell that nothing started.
  EXPECT_FALSE(arbord.matching(R"(/root/children/0/user: unknown user)").empty());
  EXPECT_TRUE(arbord.matching(R"(started)").empty());
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
