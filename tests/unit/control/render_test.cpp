// JSON shapes of events and exits (SPEC §5).
#include <gtest/gtest.h>

#include "daemon/control/render.h"

namespace arbor::control {
namespace {

using nlohmann::json;

app::StampedEvent stamped(core::Event e) { return app::StampedEvent{42, "2026-01-01T00:00:00.000000Z", std::move(e)}; }

TEST(RenderTest, ExitShapes) {
  EXPECT_EQ(exit_json(core::ExitStatus::code(3)), (json{{"code", 3}}));
  EXPECT_EQ(exit_json(core::ExitStatus::signal(9)), (json{{"signal", "KILL"}}));
}

TEST(RenderTest, EventShapes) {
  json started = event_json(stamped({.type = core::EventType::started, .path = "db", .pid = 7}));
  EXPECT_EQ(started, (json{{"seq", 42}, {"time", "2026-01-01T00:00:00.000000Z"}, {"event", "started"},
                           {"path", "db"}, {"pid", 7}}));
  json exited = event_json(stamped({.type = core::EventType::exited, .path = "db", .pid = 7,
                                    .exit = core::ExitStatus::signal(15), .reason = core::ExitReason::shutdown}));
  EXPECT_EQ(exited["exit"], (json{{"signal", "TERM"}}));
  EXPECT_EQ(exited["reason"], "shutdown");
  EXPECT_EQ(event_json(stamped({.type = core::EventType::start_failed, .path = "x", .error = "exec: boom"}))["error"],
            "exec: boom");
  EXPECT_EQ(event_json(stamped({.type = core::EventType::restarting, .path = "x", .delay_ms = 250}))["delay_ms"], 250);
  EXPECT_EQ(event_json(stamped({.type = core::EventType::log_dropped, .path = "x", .bytes = 9}))["bytes"], 9);
  core::Event reloaded{.type = core::EventType::reloaded, .path = "/"};
  reloaded.plan_counts = {1, 0, 2, 0, 5};
  EXPECT_EQ(event_json(stamped(reloaded))["plan"],
            (json{{"add", 1}, {"remove", 0}, {"restart", 2}, {"update", 0}, {"unchanged", 5}}));
  json gave_up = event_json(stamped({.type = core::EventType::gave_up, .path = "web"}));
  EXPECT_EQ(gave_up.size(), 4u);
}

TEST(RenderTest, PlanShape) {
  core::ReloadPlan plan{{{"/", core::ReloadAction::update, "strategy"}, {"db", core::ReloadAction::add, ""}}};
  EXPECT_EQ(plan_json(plan), (json{{"plan",
                                    {{{"path", "/"}, {"action", "update"}, {"reason", "strategy"}},
                                     {{"path", "db"}, {"action", "add"}, {"reason", ""}}}}}));
}

}  // namespace
}  // namespace arbor::control
