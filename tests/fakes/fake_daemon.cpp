#include "tests/fakes/fake_daemon.h"

namespace arbor::testing {

using nlohmann::json;

namespace {
template <typename T>
class Cancel final : public control::Handle {
 public:
  explicit Cancel(std::shared_ptr<T> t) : t_(std::move(t)) {}
  ~Cancel() override { t_->live = false; }

 private:
  std::shared_ptr<T> t_;
};

class Unsubscribe final : public control::Handle {
 public:
  Unsubscribe(FakeDaemon& d, std::uint64_t id) : d_(d), id_(id) {}
  ~Unsubscribe() override { d_.unsubscribe(id_); }

 private:
  FakeDaemon& d_;
  std::uint64_t id_;
};
}  // namespace

std::uint64_t FakeDaemon::subscribe(std::function<void(const events::StampedEvent&)> fn) {
  ++subscribers;
  return bus.subscribe(std::move(fn));
}

std::unique_ptr<control::Handle> FakeDaemon::after(core::Millis ms, std::function<void()> fn) {
  auto t = std::make_shared<Timer>(Timer{h_.now + ms, std::move(fn)});
  timers.push_back(t);
  return std::make_unique<Cancel<Timer>>(t);
}

std::unique_ptr<control::Handle> FakeDaemon::watch_dir(const std::string& dir,
                                                       std::function<void(const std::string&)> fn,
                                                       std::string&) {
  ++watches;
  auto w = std::make_shared<Watch>(Watch{dir, std::move(fn)});
  dir_watches.push_back(w);
  return std::make_unique<Cancel<Watch>>(w);
}

void FakeDaemon::pump() {
  std::vector<core::Event> events;
  events.swap(h_.host.events);
  for (const auto& e : events) bus.publish(e);
}

void FakeDaemon::advance(core::Millis ms) {
  h_.advance(ms);
  pump();
  for (auto& t : std::vector<std::shared_ptr<Timer>>(timers)) {
    if (t->live && t->deadline <= h_.now) {
      t->live = false;
      t->fn();
    }
  }
}

void FakeDaemon::touch(const std::string& dir, const std::string& name) {
  for (auto& w : std::vector<std::shared_ptr<Watch>>(dir_watches)) {
    if (w->live && w->dir == dir) w->fn(name);
  }
}

Fixture::Fixture()
    : h(root(config::Strategy::one_for_one,
             {worker("db"),
              supervisor("web", config::Strategy::rest_for_one,
                         {worker("api"), worker("worker", config::RestartType::transient)}),
              dynamic("jobs", 2)})) {
  h.boot();
  daemon.pump();
}

json Fixture::request(const std::string& line) {
  const std::size_t before = session->lines.size();
  dispatcher.handle(session, line);
  h.settle();
  daemon.pump();
  EXPECT_GT(session->lines.size(), before) << "no reply to " << line;
  if (session->lines.size() <= before) return json();
  return session->lines[before];
}

json Fixture::request(const std::string& cmd, const json& args) {
  static int id = 0;
  return request(json{{"id", ++id}, {"cmd", cmd}, {"args", args}}.dump());
}

std::vector<json> Fixture::take_lines() {
  std::vector<json> out(session->lines.begin() + static_cast<std::ptrdiff_t>(seen_), session->lines.end());
  seen_ = session->lines.size();
  return out;
}

std::string Fixture::error_code(const json& reply) {
  if (reply.value("ok", true)) return "ok";
  return reply["error"].value("code", "?");
}

}  // namespace arbor::testing
