// Enum spellings and signal names.
#include <gtest/gtest.h>

#include <csignal>

#include "config/load.h"

namespace arbor::config {
namespace {

TEST(ConfigNames, Enums) {
  EXPECT_EQ(to_string(ChildType::worker), "worker");
  EXPECT_EQ(to_string(ChildType::supervisor), "supervisor");
  EXPECT_EQ(to_string(ChildType::dynamic_supervisor), "dynamic_supervisor");
  EXPECT_EQ(to_string(RestartType::permanent), "permanent");
  EXPECT_EQ(to_string(RestartType::transient), "transient");
  EXPECT_EQ(to_string(RestartType::temporary), "temporary");
  EXPECT_EQ(to_string(Strategy::one_for_one), "one_for_one");
  EXPECT_EQ(to_string(Strategy::one_for_all), "one_for_all");
  EXPECT_EQ(to_string(Strategy::rest_for_one), "rest_for_one");
  EXPECT_EQ(to_string(AutoShutdown::never), "never");
  EXPECT_EQ(to_string(AutoShutdown::any_significant), "any_significant");
  EXPECT_EQ(to_string(AutoShutdown::all_significant), "all_significant");
  EXPECT_EQ(child_type_from_string("dynamic_supervisor"), ChildType::dynamic_supervisor);
  EXPECT_EQ(restart_type_from_string("transient"), RestartType::transient);
  EXPECT_EQ(strategy_from_string("rest_for_one"), Strategy::rest_for_one);
  EXPECT_EQ(auto_shutdown_from_string("all_significant"), AutoShutdown::all_significant);
  EXPECT_FALSE(strategy_from_string("ONE_FOR_ONE"));
  EXPECT_FALSE(child_type_from_string(""));
}

TEST(ConfigNames, SignalFromName) {
  EXPECT_EQ(signal_from_name("TERM"), SIGTERM);
  EXPECT_EQ(signal_from_name("SIGTERM"), SIGTERM);
  EXPECT_EQ(signal_from_name("sigterm"), SIGTERM);
  EXPECT_EQ(signal_from_name("HUP"), SIGHUP);
  EXPECT_EQ(signal_from_name("USR1"), SIGUSR1);
  EXPECT_EQ(signal_from_name("USR2"), SIGUSR2);
  EXPECT_EQ(signal_from_name("KILL"), SIGKILL);
  EXPECT_EQ(signal_from_name("CHLD"), SIGCHLD);
  EXPECT_EQ(signal_from_name("WINCH"), SIGWINCH);
  EXPECT_EQ(signal_from_name("IOT"), SIGABRT);
  EXPECT_EQ(signal_from_name("9"), 9);
  EXPECT_EQ(signal_from_name("64"), 64);
  EXPECT_EQ(signal_from_name("RTMIN"), SIGRTMIN);
  EXPECT_EQ(signal_from_name("SIGRTMIN+2"), SIGRTMIN + 2);
  EXPECT_EQ(signal_from_name("RTMAX-1"), SIGRTMAX - 1);
  EXPECT_EQ(signal_from_name("RTMAX"), SIGRTMAX);
}

TEST(ConfigNames, SignalFromBadName) {
  for (const char* bad : {"", "0", "65", "-1", "999", "1000", "SIG", "FOO", "TERM ", " TERM", "RTMIN+99",
                          "RTMAX-99", "RTMIN+", "9x"})
    EXPECT_FALSE(signal_from_name(bad)) << bad;
}

TEST(ConfigNames, SignalName) {
  EXPECT_EQ(signal_name(SIGKILL), "KILL");
  EXPECT_EQ(signal_name(SIGTERM), "TERM");
  EXPECT_EQ(signal_name(SIGHUP), "HUP");
  EXPECT_EQ(signal_name(SIGABRT), "ABRT");
  EXPECT_EQ(signal_name(SIGRTMIN), "RTMIN");
  EXPECT_EQ(signal_name(SIGRTMIN + 3), "RTMIN+3");
  EXPECT_EQ(signal_name(0), "0");
  EXPECT_EQ(signal_name(99), "99");
  for (int s = 1; s <= 64; ++s) {
    if (s < 32 || s >= SIGRTMIN) {
      EXPECT_EQ(signal_from_name(signal_name(s)), s) << s;
    }
  }
}

}  // namespace
}  // namespace arbor::config
