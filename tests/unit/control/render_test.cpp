// JSON shapes of status nodes, events, exits and plans (docs/PROTOCOL.md): the core's values as
// the protocol's types (control/render.h), printed by the protocol.
#include <gtest/gtest.h>

#include "daemon/control/render.h"

namespace arbor::control {
namespace {

using nlohmann::json;

json event_json(const events::StampedEvent& e) { return to_wire(e).to_json(); }

events::StampedEvent stamped(core::Event e) {
  return events::StampedEvent{42, 1767225600000000, std::move(e)};  // 2026-01-01T00:00:00Z
}

TEST(RenderTest, ExitShapes) {
  EXPECT_EQ(to_wire(core::ExitStatus::code(3)).to_json(), (json{{"code", 3}}));
  EXPECT_EQ(to_wire(core::ExitStatus::signal(9)).to_json(), (json{{"signal", "KILL"}}));
}

TEST(RenderTest, EventShapes) {
  json started = event_json(stamped({.type = core::EventType::started, .path = "db", .pid = 7}));
  EXPECT_EQ(started, (json{{"seq", 42},
                           {"time", "2026-01-01T00:00:00.000000Z"},
                           {"event", "started"},
                           {"path", "db"},
                           {"cause", nullptr},
                           {"pid", 7}}));
  json exited = event_json(stamped({.type = core::EventType::exited,
                                    .path = "db",
                                    .pid = 7,
                                    .exit = core::ExitStatus::signal(15),
                                    .reason = core::ExitReason::shutdown}));
  EXPECT_EQ(exited["exit"], (json{{"signal", "TERM"}}));
  EXPECT_EQ(exited["reason"], "shutdown");
  EXPECT_EQ(event_json(stamped(
                {.type = core::EventType::start_failed, .path = "x", .error = "exec: boom"}))["error"],
            "exec: boom");
  EXPECT_EQ(
      event_json(stamped({.type = core::EventType::restarting, .path = "x", .delay_ms = 250}))["delay_ms"],
      250);
  EXPECT_EQ(event_json(stamped({.type = core::EventType::log_dropped, .path = "x", .bytes = 9}))["bytes"], 9);
  core::Event reloaded{.type = core::EventType::reloaded, .path = "/"};
  reloaded.plan_counts = {1, 0, 2, 0, 5};
  EXPECT_EQ(event_json(stamped(reloaded))["plan"],
            (json{{"add", 1}, {"remove", 0}, {"restart", 2}, {"update", 0}, {"unchanged", 5}}));
  json unhealthy = event_json(stamped(
      {.type = core::EventType::unhealthy, .path = "web", .error = "GET /healthz: 503", .failures = 3}));
  EXPECT_EQ(unhealthy["failures"], 3);
  EXPECT_EQ(unhealthy["error"], "GET /healthz: 503");
  json sick = event_json(stamped({.type = core::EventType::exited,
                                  .path = "web",
                                  .pid = 8,
                                  .exit = core::ExitStatus::signal(15),
                                  .reason = core::ExitReason::abnormal,
                                  .watchdog = true}));
  EXPECT_EQ(sick["watchdog"], true);
  EXPECT_FALSE(sick.contains("health"));
  EXPECT_FALSE(exited.contains("health") || exited.contains("watchdog"));
  json gave_up = event_json(stamped({.type = core::EventType::gave_up, .path = "web", .cause = 41}));
  EXPECT_EQ(gave_up.size(), 5u);
  EXPECT_EQ(gave_up["cause"], 41);
  json restarting = event_json(
      stamped({.type = core::EventType::restarting, .path = "x", .cause = 40, .strategy = "rest_for_one"}));
  EXPECT_EQ(restarting["strategy"], "rest_for_one");
  EXPECT_EQ(restarting["cause"], 40);
  json command = event_json(
      stamped({.type = core::EventType::command, .path = "web/api", .command = "stop", .uid = 1000}));
  EXPECT_EQ(command["command"], "stop");
  EXPECT_EQ(command["uid"], 1000);
  EXPECT_EQ(command["cause"], nullptr);
  json sighup = event_json(stamped({.type = core::EventType::command, .path = "/", .command = "reload"}));
  EXPECT_TRUE(sighup.contains("uid"));
  EXPECT_EQ(sighup["uid"], nullptr);
}

TEST(RenderTest, StatusTextIsStatusJsonPrinted) {
  core::StatusNode running{.path = "web/api",
                           .id = "api",
                           .state = core::ChildState::running,
                           .restarts = 2,
                           .pid = 4242,
                           .started_at = 1000,
                           .last_exit = core::ExitStatus::signal(9),
                           .status_text = "serving \"3\" clients\t\u00e9"};
  core::StatusNode restarting{.path = "web/q\"uote\\",
                              .id = "q\"uote\\",
                              .state = core::ChildState::restarting,
                              .restarts = 7,
                              .last_exit = core::ExitStatus::code(3),
                              .next_restart_at = 2500};
  core::StatusNode stopped{.path = "web/idle", .id = "idle"};
  stopped.health = core::HealthState::unhealthy;
  stopped.health_failures = 3;
  stopped.operator_stopped = true;
  core::StatusNode web{.path = "web",
                       .id = "web",
                       .type = config::ChildType::supervisor,
                       .state = core::ChildState::running,
                       .restarts = 1,
                       .children = {running, restarting, stopped}};
  core::StatusNode jobs{.path = "jobs",
                        .id = "jobs",
                        .type = config::ChildType::dynamic_supervisor,
                        .state = core::ChildState::stopped};
  core::StatusNode root{.path = "",
                        .id = "",
                        .type = config::ChildType::supervisor,
                        .state = core::ChildState::running,
                        .children = {web, jobs}};
  const WallTime wall = [](core::Millis t) { return "t" + std::to_string(t); };
  auto text = [&](const core::StatusNode& node) {
    std::string out;
    to_wire(core::StatusNode(node), wall).append_json(out);
    return out;
  };
  for (const core::StatusNode* node : {&root, &web, &running, &restarting, &stopped, &jobs}) {
    EXPECT_EQ(text(*node), to_wire(core::StatusNode(*node), wall).to_json().dump());
  }
  // The bytes of round 1's wire format, with round 2's status_text (sd_notify STATUS=), the
  // cgroup fields (null here: cgroups off) and health (null without a health check).
  EXPECT_EQ(text(running), R"({"cgroup":null,"cpu_usec":null,"health":null,"health_failures":0,"id":"api",)"
                           R"("last_exit":{"signal":"KILL"},"memory_bytes":null,"operator_stopped":false,)"
                           R"("path":"web/api","pid":4242,)"
                           R"("restarts":2,"started_at":"t1000","state":"running",)"
                           R"("status_text":"serving \"3\" clients\té","type":"worker"})");
  EXPECT_EQ(text(restarting), R"({"cgroup":null,"cpu_usec":null,"health":null,"health_failures":0,)"
                              R"("id":"q\"uote\\","last_exit":{"code":3},"memory_bytes":null,)"
                              R"("next_restart_at":"t2500","operator_stopped":false,)"
                              R"("path":"web/q\"uote\\","pid":null,"restarts":7,"started_at":null,)"
                              R"("state":"restarting","status_text":null,"type":"worker"})");
  EXPECT_EQ(to_wire(core::StatusNode(stopped), wall).to_json()["health"], "unhealthy");
  EXPECT_EQ(to_wire(core::StatusNode(stopped), wall).to_json()["health_failures"], 3);
  EXPECT_NE(text(stopped).find(R"("memory_bytes":null,"operator_stopped":true,"path":"web/idle")"),
            std::string::npos)
      << text(stopped);
  EXPECT_EQ(text(jobs), R"({"cgroup":null,"children":[],"cpu_usec":null,"id":"jobs","memory_bytes":null,)"
                        R"("operator_stopped":false,"path":"jobs","restarts":0,)"
                        R"("state":"stopped",)"
                        R"("type":"dynamic_supervisor"})");
  EXPECT_EQ(text(root).substr(0, 28), R"({"cgroup":null,"children":[{)");
  EXPECT_TRUE(
      text(root).ends_with(R"(],"cpu_usec":null,"id":"/","memory_bytes":null,"operator_stopped":false,)"
                           R"("path":"/","restarts":0,)"
                           R"("state":"running","type":"supervisor"})"))
      << text(root);
  const protocol::commands::NodeStatus back =
      protocol::commands::NodeStatus::from_json(json::parse(text(root)));
  EXPECT_EQ(back.to_json(), to_wire(core::StatusNode(root), wall).to_json())
      << "from_json reads what to_json wrote";
}

TEST(RenderTest, PlanShape) {
  core::ReloadPlan plan{{{"/", core::ReloadAction::update, "strategy"}, {"db", core::ReloadAction::add, ""}}};
  EXPECT_EQ(to_wire(plan).to_json(), (json{{"plan",
                                            {{{"path", "/"}, {"action", "update"}, {"reason", "strategy"}},
                                             {{"path", "db"}, {"action", "add"}, {"reason", ""}}}}}));
}

}  // namespace
}  // namespace arbor::control
