// libFuzzer target: one request line into the control Dispatcher, against a real core on
// the core tests' FakeHost. Whatever the line, arbord must answer (or stream) without
// crashing, throwing or leaking, and the tree must stay consistent.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "tests/fakes/fake_daemon.h"

namespace {

arbor::config::ChildSpec fuzz_tree() {
  using namespace arbor::testing;
  return root(
      arbor::config::Strategy::one_for_one,
      {worker("db"), supervisor("web", arbor::config::Strategy::rest_for_one, {worker("api"), worker("w")}),
       dynamic("jobs", 3)});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace arbor::testing;
  Harness harness(fuzz_tree());
  harness.boot();
  FakeDaemon daemon(harness);
  daemon.config_file = "/nonexistent/arbor.json";
  arbor::control::Dispatcher dispatcher(daemon);
  auto session = std::make_shared<FakeSession>();
  // Several lines per input: a sequence of commands reaches deeper states.
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    dispatcher.handle(session, line);
    harness.settle();
    daemon.pump();
    daemon.advance(1000);
    daemon.pump();
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  session->client_hangs_up();
  harness.tree.shutdown(harness.now);
  harness.settle();
  harness.advance(10000);
  return 0;
}
