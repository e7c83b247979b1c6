// `arborctl reexec` refused: the old program stays in charge and says why (a binary that is
// missing, not executable, or fails its first step; a state format the new program does not
// know), and the fallback when the new program, past its execve, cannot read the state.
#include <signal.h>
#include <unistd.h>

#include "tests/integration/reexec/reexec_util.h"

namespace arbor::testing {
namespace {

json tree() { return {{"cgroups", "off"}, {"root", {{"children", json::array({})}}}}; }

void start_two(ArbordInstance& arbord, const std::string& sigs) {
  json t = tree();
  t["root"]["children"] = {trapping("a", sigs), trapping("b", sigs)};
  arbord.start(t);
  ASSERT_TRUE(arbord.await_ready());
}

TEST(ReexecRefused, ABadBinaryLeavesTheOldProgramInCharge) {
  ArbordInstance arbord;
  const std::string sigs = arbord.path("signals");
  start_two(arbord, sigs);
  const pid_t arbord_pid = arbord.arbord_pid();
  const auto pids = worker_pids(status_of(arbord.socket()));
  write_file(arbord.path("not-executable"), "#!/bin/sh\n");
  // The new program's first step fails: its check of the state, before any execve.
  write_file(arbord.path("fails"), "#!/bin/sh\necho 'cannot load libfoo.so' >&2\nexit 1\n", true);
  struct Case {
    std::string binary, code, why;
  };
  for (const Case& c :
       {Case{arbord.path("missing"), "not_found", "No such file or directory"},
        Case{arbord.path("not-executable"), "bad_request", "not an executable file"},
        Case{arbord.path("fails"), "start_failed", "exit status 1): cannot load libfoo.so"}}) {
    const RunResult r = arborctl(arbord.socket(), {"reexec", "--binary", c.binary});
    EXPECT_EQ(r.status, 1) << c.binary;
    EXPECT_NE(r.err.find(c.code + ": " + c.binary), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
  }
  EXPECT_EQ(arbord.arbord_pid(), arbord_pid);
  EXPECT_EQ(worker_pids(status_of(arbord.socket())), pids);
  // Still in charge: it supervises (a kill is restarted) and a good reexec still works.
  ::kill(pids.at("a"), SIGKILL);
  ASSERT_TRUE(arbord.await_event({{"event", "started"}, {"path", "a"}}));
  EXPECT_EQ(arborctl(arbord.socket(), {"reexec"}).status, 0);
  EXPECT_EQ(worker_pids(status_of(arbord.socket())).at("b"), pids.at("b"));
  EXPECT_EQ(slurp(sigs), "");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// A downgrade across a format change: the new program's check refuses the state.
TEST(ReexecRefused, AStateFormatTheNewProgramDoesNotKnowIsRefusedByItsCheck) {
  ArbordInstance arbord;
  arbord.add_env("ARBOR_REEXEC_STATE_VERSION=99");  // the old program writes format 99
  const std::string sigs = arbord.path("signals");
  start_two(arbord, sigs);
  const auto pids = worker_pids(status_of(arbord.socket()));
  const RunResult r = arborctl(arbord.socket(), {"reexec"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("format version 99"), std::string::npos) << r.err;
  EXPECT_EQ(worker_pids(status_of(arbord.socket())), pids);
  EXPECT_EQ(slurp(sigs), "");
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

// Past execve with a state it cannot read (the check skipped), the new program kills the
// old tree's groups, starts the tree from its config and says so: no worker is left
// unsupervised, and none is lost silently.
TEST(ReexecRefused, PastExecAnUnknownFormatFallsBackToAFreshTree) {
  ArbordInstance arbord;
  arbord.add_env("ARBOR_REEXEC_STATE_VERSION=99");
  arbord.add_env("ARBOR_REEXEC_SKIP_CHECK=1");
  const std::string sigs = arbord.path("signals");
  start_two(arbord, sigs);
  const pid_t arbord_pid = arbord.arbord_pid();
  const auto pids = worker_pids(status_of(arbord.socket()));
  const RunResult r = arborctl(arbord.socket(), {"--json", "reexec"});
  EXPECT_EQ(r.status, 1);
  const json reply = json::parse(r.out);
  EXPECT_EQ(reply["adopted"], false);
  EXPECT_NE(reply["fallback"].get<std::string>().find("format version 99"), std::string::npos);
  EXPECT_EQ(arbord.arbord_pid(), arbord_pid);
  for (const auto& [path, pid] : pids) EXPECT_TRUE(poll_until([pid = pid] { return dead(pid); }, 5s)) << path;
  EXPECT_TRUE(await_state(arbord.socket(), "a", "running"));
  EXPECT_TRUE(await_state(arbord.socket(), "b", "running"));
  const auto fresh = worker_pids(status_of(arbord.socket()));
  EXPECT_NE(fresh.at("a"), pids.at("a"));
  EXPECT_TRUE(arbord.await("killing the 2 process groups of the old tree"));
  arbord.signal(SIGTERM);
  EXPECT_EQ(arbord.wait_exit(), 0);
  EXPECT_TRUE(arbord.no_survivors());
}

}  // namespace
}  // namespace arbor::testing
