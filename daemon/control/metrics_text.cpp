#include "daemon/control/metrics_text.h"

#include <array>
#include <functional>
#include <iterator>

#include <fmt/format.h>

namespace arbor::control {

namespace {

using core::ChildState;
using core::StatusNode;

constexpr std::array kStates{ChildState::stopped, ChildState::starting, ChildState::running,
                             ChildState::stopping, ChildState::restarting};

bool is_worker(const StatusNode& n) { return n.type == config::ChildType::worker; }

// Every node in tree order (a parent before its children), the root first.
void flatten(const StatusNode& node, std::vector<const StatusNode*>& out) {
  out.push_back(&node);
  for (const StatusNode& child : node.children) flatten(child, out);
}

// Writes one family: HELP and TYPE, then what `samples` appends. Nothing when it appends
// no sample.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  template <typename Samples>
  void family(std::string_view name, std::string_view type, std::string_view help, Samples&& samples) {
    const std::size_t mark = out_.size();
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    const std::size_t header_end = out_.size();
    name_ = name;
    samples(*this);
    if (out_.size() == header_end) out_.resize(mark);
  }

  // name{label="value"} number
  template <typename Number>
  void sample(std::string_view label, std::string_view value, Number number) {
    fmt::format_to(std::back_inserter(out_), "{}{{{}=\"", name_, label);
    append_escaped(value);
    fmt::format_to(std::back_inserter(out_), "\"}} {}\n", number);
  }
  // name{path="p",state="s"} number
  void sample2(std::string_view path, std::string_view state, int number) {
    fmt::format_to(std::back_inserter(out_), "{}{{path=\"", name_);
    append_escaped(path);
    out_ += "\",state=\"";
    append_escaped(state);
    fmt::format_to(std::back_inserter(out_), "\"}} {}\n", number);
  }
  template <typename Number>
  void bare(Number number) {
    fmt::format_to(std::back_inserter(out_), "{} {}\n", name_, number);
  }

  void append_escaped(std::string_view value) {
    if (value.find_first_of("\\\"\n") == std::string_view::npos) {
      out_ += value;
      return;
    }
    out_ += escape_label_value(value);
  }

 private:
  std::string& out_;
  std::string_view name_;
};

// A signal's death as a shell reports it: 128 + the signal's number.
int exit_code_of(const core::ExitStatus& status) {
  return status.signaled ? 128 + status.value : status.value;
}

void tree_families(Writer& w, const std::vector<const StatusNode*>& nodes, const MetricsInput& in) {
  using Node = const StatusNode*;
  const auto each = [&](const std::function<void(Writer&, const StatusNode&)>& fn) {
    return [&nodes, fn](Writer& writer) {
      for (Node n : nodes) fn(writer, *n);
    };
  };
  w.family("arbor_up", "gauge", "1 when the child is running, 0 otherwise.",
           each([](Writer& o, const StatusNode& n) {
             o.sample("path", n.path, n.state == ChildState::running ? 1 : 0);
           }));
  w.family("arbor_state", "gauge", "1 for the state the child is in, 0 for the other states.",
           each([](Writer& o, const StatusNode& n) {
             for (ChildState s : kStates) o.sample2(n.path, core::to_string(s), n.state == s ? 1 : 0);
           }));
  w.family("arbor_restarts_total", "counter", "Automatic restarts of the child since arbord started.",
           each([](Writer& o, const StatusNode& n) { o.sample("path", n.path, n.restarts); }));
  w.family("arbor_start_time_seconds", "gauge",
           "Start of the worker's running process, in seconds since the epoch.",
           each([&in](Writer& o, const StatusNode& n) {
             if (!n.started_at) return;
             const double seconds =
                 in.wall_now_seconds - static_cast<double>(in.monotonic_now - *n.started_at) / 1e3;
             o.sample("path", n.path, fmt::format("{:.3f}", seconds));
           }));
  w.family("arbor_last_exit_code", "gauge",
           "The worker's last exit code (128 + the signal's number after a signal).",
           each([](Writer& o, const StatusNode& n) {
             if (n.last_exit) o.sample("path", n.path, exit_code_of(*n.last_exit));
           }));
  w.family("arbor_oom_kills_total", "counter", "Exits of the worker by the kernel's OOM killer.",
           each([](Writer& o, const StatusNode& n) {
             if (is_worker(n)) o.sample("path", n.path, n.totals.oom_kills);
           }));
  w.family("arbor_health_failures_total", "counter",
           "Failed health checks of the worker (outside its start period).",
           each([](Writer& o, const StatusNode& n) {
             if (is_worker(n)) o.sample("path", n.path, n.totals.health_failures);
           }));
  w.family("arbor_gave_up_total", "counter",
           "Times the supervisor gave up (its restart intensity was reached).",
           each([](Writer& o, const StatusNode& n) {
             if (!is_worker(n)) o.sample("path", n.path, n.totals.gave_up);
           }));
  w.family("arbor_log_dropped_bytes_total", "counter",
           "Bytes of the worker's captured output that arbord dropped.",
           each([](Writer& o, const StatusNode& n) {
             if (is_worker(n)) o.sample("path", n.path, n.totals.log_dropped_bytes);
           }));
  const auto usage = [&in](const StatusNode& n) -> const CgroupUsage* {
    if (!is_worker(n) || in.usage.empty()) return nullptr;
    const auto it = in.usage.find(n.path);
    return it == in.usage.end() ? nullptr : &it->second;
  };
  w.family("arbor_memory_bytes", "gauge",
           "The worker's cgroup memory.current (cgroups with the memory controller).",
           each([&usage](Writer& o, const StatusNode& n) {
             const CgroupUsage* u = usage(n);
             if (u != nullptr && u->memory_bytes) o.sample("path", n.path, *u->memory_bytes);
           }));
  w.family("arbor_cpu_seconds_total", "counter",
           "CPU time of the worker's cgroup (cpu.stat usage_usec), in seconds.",
           each([&usage](Writer& o, const StatusNode& n) {
             const CgroupUsage* u = usage(n);
             if (u != nullptr && u->cpu_usec)
               o.sample("path", n.path, static_cast<double>(*u->cpu_usec) / 1e6);
           }));
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_metrics(const MetricsInput& in) {
  std::string out;
  Writer w(out);
  if (in.root != nullptr) {
    std::vector<const StatusNode*> nodes;
    flatten(*in.root, nodes);
    out.reserve(nodes.size() * 700 + 2048);
    tree_families(w, nodes, in);
  }
  w.family("arbor_events_total", "counter", "Events of the tree by type (docs/PROTOCOL.md \"Events\").",
           [&in](Writer& o) {
             for (const auto& [event, count] : in.events) o.sample("event", event, count);
           });
  const ProcessStats& p = in.process;
  w.family("process_resident_memory_bytes", "gauge", "arbord's resident memory size in bytes.",
           [&p](Writer& o) {
             if (p.resident_bytes) o.bare(*p.resident_bytes);
           });
  w.family("process_open_fds", "gauge", "arbord's open file descriptors.", [&p](Writer& o) {
    if (p.open_fds) o.bare(*p.open_fds);
  });
  w.family("process_start_time_seconds", "gauge", "When arbord started, in seconds since the epoch.",
           [&p](Writer& o) {
             if (p.start_time_seconds) o.bare(fmt::format("{:.2f}", *p.start_time_seconds));
           });
  return out;
}

}  // namespace arbor::control
