// FakeDaemon and FakeSession: the control commands' world without arbord. The tree is a
// real SupervisorTree on the core tests' FakeHost; events reach the EventBus when the
// test calls pump() (the Fixture does after every request); timers fire on advance();
// a directory watch fires when the test calls touch().
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/control/daemon.h"
#include "daemon/control/dispatcher.h"
#include "daemon/control/session.h"
#include "tests/fakes/fake_host.h"

namespace arbor::testing {

class FakeDaemon final : public control::Daemon {
 public:
  explicit FakeDaemon(Harness& harness) : h_(harness) {}

  core::SupervisorTree& tree() override { return h_.tree; }
  core::Millis now() override { return h_.now; }
  std::string wall_time(core::Millis instant) override { return "T" + std::to_string(instant); }
  std::uint64_t subscribe(std::function<void(const events::StampedEvent&)> fn) override;
  void unsubscribe(std::uint64_t id) override { bus.unsubscribe(id); }
  const events::EventBus& events() const override { return bus; }
  std::string config_path() const override { return config_file; }
  const config::TreeSpec& tree_spec() const override { return spec_; }
  void request_shutdown(const char*) override { h_.tree.shutdown(h_.now); }
  std::unique_ptr<control::Handle> after(core::Millis ms, std::function<void()> fn) override;
  std::unique_ptr<control::Handle> watch_dir(const std::string& dir,
                                             std::function<void(const std::string&)> fn,
                                             std::string& error) override;

  // Publishes what the tree emitted since the last pump.
  void pump();
  // Moves the clock (tree timers and ours).
  void advance(core::Millis ms);
  // Fires the watches of `dir` with `name`.
  void touch(const std::string& dir, const std::string& name);

  void set_log_dir(std::string dir) { spec_.log_dir = std::move(dir); }

  events::EventBus bus;
  std::string config_file;
  int subscribers = 0;
  int watches = 0;

  struct Timer {
    core::Millis deadline;
    std::function<void()> fn;
    bool live = true;
  };
  struct Watch {
    std::string dir;
    std::function<void(const std::string&)> fn;
    bool live = true;
  };
  std::vector<std::shared_ptr<Timer>> timers;
  std::vector<std::shared_ptr<Watch>> dir_watches;

 private:
  Harness& h_;
  config::TreeSpec spec_;
};

class FakeSession final : public control::Session {
 public:
  void send(const nlohmann::json& message, Kind) noexcept override {
    if (open) lines.push_back(message);
  }
  // Lines sent as text must be exactly what encode_line would have made of their JSON.
  void send_line(std::string line, Kind) noexcept override {
    if (!open) return;
    nlohmann::json message = nlohmann::json::parse(line);
    EXPECT_EQ(line, protocol::encode_line(message));
    lines.push_back(std::move(message));
  }
  bool is_open() const override { return open; }
  protocol::Access access() const override { return granted; }
  void keep(std::unique_ptr<control::Handle> h) override { kept.push_back(std::move(h)); }
  // The client hangs up: its streams end with it.
  void client_hangs_up() {
    open = false;
    kept.clear();
  }
  // arbord hangs up on the client: like a real connection, its streams are released
  // later (not from inside the stream that asked).
  void hang_up() noexcept override {
    open = false;
    ++hung_up;
  }
  // Flow control as a socket would do it: `unsent` bytes are queued until drain().
  std::size_t unsent_bytes() const override { return unsent; }
  void when_drained(std::function<void()> fn) override { drained = std::move(fn); }
  void drain() {
    unsent = 0;
    if (drained) std::exchange(drained, nullptr)();
  }
  std::size_t unsent = 0;
  std::function<void()> drained;
  int hung_up = 0;

  std::vector<nlohmann::json> lines;
  std::vector<std::unique_ptr<control::Handle>> kept;
  bool open = true;
  protocol::Access granted = protocol::Access::operate;
};

// A tree (db, web/{api,worker}, jobs as a dynamic supervisor of max 2), booted, with a
// dispatcher and one session.
class Fixture : public ::testing::Test {
 protected:
  Fixture();

  // Sends one request line; returns the first line it produced (the reply).
  nlohmann::json request(const std::string& line);
  nlohmann::json request(const std::string& cmd, const nlohmann::json& args);
  // Everything sent since the last call (replies and stream lines).
  std::vector<nlohmann::json> take_lines();
  static std::string error_code(const nlohmann::json& reply);

  Harness h;
  FakeDaemon daemon{h};
  control::Dispatcher dispatcher{daemon};
  std::shared_ptr<FakeSession> session = std::make_shared<FakeSession>();
  std::size_t seen_ = 0;
};

}  // namespace arbor::testing
