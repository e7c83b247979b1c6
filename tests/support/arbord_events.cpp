// ArbordInstance: the watch stream, events, requests and pid_of.
#include <gtest/gtest.h>

#include "tests/support/arbord_instance.h"
#include "tests/support/proc.h"

namespace arbor::testing {

namespace {
using Clock = std::chrono::steady_clock;

void collect_pids(const nlohmann::json& node, std::map<std::string, pid_t>& out) {
  if (node.value("type", "") == "worker" && node.contains("pid") && node["pid"].is_number()) {
    out[node.value("path", "")] = node["pid"].get<pid_t>();
  }
  if (node.contains("children")) {
    for (const auto& c : node["children"]) collect_pids(c, out);
  }
}
}  // namespace

bool matches(const nlohmann::json& value, const nlohmann::json& pattern) {
  if (!pattern.is_object()) return value == pattern;
  if (!value.is_object()) return false;
  for (const auto& [key, want] : pattern.items()) {
    const auto it = value.find(key);
    if (it == value.end() || !matches(*it, want)) return false;
  }
  return true;
}

bool ArbordInstance::open_watch() {
  // Two connections: the stream, and one for request(). The socket is up (READY=1, or the
  // gate running), so each connects at the first try.
  watch_ = std::make_unique<Control>();
  control_ = std::make_unique<Control>();
  if (!watch_->connect(socket(), 0ms) || !control_->connect(socket(), 0ms)) {
    ADD_FAILURE() << "cannot connect to " << socket() << " although arbord is up";
    watch_.reset();
    control_.reset();
    return false;
  }
  // Waited for with pump(): arbord must not block on a full log pipe meanwhile.
  const int id = watch_->send("watch");
  const auto deadline = Clock::now() + 10s;
  for (;;) {
    if (auto reply = watch_->take_reply(id)) {
      if (reply->value("ok", false)) return true;
      ADD_FAILURE() << "watch refused: " << reply->dump();
      break;
    }
    if (id == 0 || watch_->at_eof() || Clock::now() >= deadline) {
      ADD_FAILURE() << "no reply to watch";
      break;
    }
    pump(time_left(deadline));
  }
  watch_.reset();
  return false;
}

void ArbordInstance::read_streams() {
  if (control_) control_->drain();
  if (!watch_) return;
  watch_->drain();
  while (auto e = watch_->take_event()) {
    // Behind the gate the stream must hold every event: arbord numbers them from 1.
    if (events_.empty() && (watch_mode_ == Watch::from_boot || watch_mode_ == Watch::held)) {
      EXPECT_EQ(e->value("seq", 0), 1) << "events before the watch were missed: " << e->dump();
    }
    if (!events_.empty()) {
      EXPECT_EQ(e->value("seq", 0), events_.back().value("seq", 0) + 1) << "a gap in the event stream";
    }
    events_.push_back(std::move(*e));
  }
}

void ArbordInstance::take_snapshot() {
  const auto reply = request("status", {{"path", "/"}});
  if (reply && reply->value("ok", false)) collect_pids((*reply)["result"], boot_pids_);
}

std::optional<nlohmann::json> ArbordInstance::request(const std::string& cmd, nlohmann::json args,
                                                      std::chrono::milliseconds timeout) {
  if (!control_ && watch_mode_ == Watch::from_ready && !exit_status_ && !await_ready()) return std::nullopt;
  if (!control_) {
    ADD_FAILURE() << "request " << cmd << ": no connection (Watch::none, or arbord is gone)";
    return std::nullopt;
  }
  const int id = control_->send(cmd, std::move(args));
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto reply = control_->take_reply(id)) return reply;
    if (id == 0 || control_->at_eof() || Clock::now() >= deadline) return std::nullopt;
    pump(time_left(deadline));
  }
}

std::optional<nlohmann::json> ArbordInstance::await_event(
    const std::function<bool(const nlohmann::json&)>& match, const std::string& what,
    std::chrono::milliseconds timeout) {
  if (!watch_ && watch_mode_ == Watch::from_ready && !exit_status_ && !await_ready()) return std::nullopt;
  if (!watch_) {
    ADD_FAILURE() << "awaiting " << what
                  << ": no watch open (Watch::none, or arbord exited before it opened)";
    return std::nullopt;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (; event_cursor_ < events_.size(); ++event_cursor_) {
      if (match(events_[event_cursor_])) return events_[event_cursor_++];
    }
    if (Clock::now() >= deadline || watch_->at_eof()) break;
    pump(time_left(deadline));
  }
  ADD_FAILURE() << "no event " << what << " within " << timeout.count() << " ms"
                << (watch_->at_eof() ? " (the stream ended)" : "");
  return std::nullopt;
}

std::optional<nlohmann::json> ArbordInstance::await_event(const nlohmann::json& pattern,
                                                          std::chrono::milliseconds timeout) {
  return await_event([&](const nlohmann::json& e) { return matches(e, pattern); }, pattern.dump(), timeout);
}

std::vector<nlohmann::json> ArbordInstance::events() {
  pump(0ms);
  return events_;
}

std::vector<nlohmann::json> ArbordInstance::events_matching(const nlohmann::json& pattern) {
  std::vector<nlohmann::json> out;
  for (const auto& e : events()) {
    if (matches(e, pattern)) out.push_back(e);
  }
  return out;
}

std::optional<pid_t> ArbordInstance::pid_of(const std::string& child_path) {
  // Callers of the log-line API (await("tree started")) have not opened the watch yet.
  if (!watch_ && watch_mode_ == Watch::from_ready && !exit_status_ && !await_ready()) return std::nullopt;
  pump(0ms);
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    if (matches(*it, {{"event", "started"}, {"path", child_path}}) && it->contains("pid")) {
      return (*it)["pid"].get<pid_t>();
    }
  }
  if (const auto it = boot_pids_.find(child_path); it != boot_pids_.end()) return it->second;
  return std::nullopt;
}

}  // namespace arbor::testing
