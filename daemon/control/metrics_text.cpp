#include "daemon/control/metrics_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <type_traits>

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

// A number as the format writes it: integers as such, seconds with a fixed precision.
struct Fixed {
  double value;
  int digits;
};

// Writes one family: HELP and TYPE, then what `samples` appends. Nothing when it appends
// no sample. Plain appends and std::to_chars: 5,000 workers are some 60,000 lines.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  template <typename Samples>
  void family(std::string_view name, std::string_view type, std::string_view help, Samples&& samples) {
    const std::size_t mark = out_.size();
    const std::string_view parts[] = {"# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n"};
    for (const std::string_view part : parts) out_ += part;
    const std::size_t header_end = out_.size();
    name_ = name;
    samples(*this);
    if (out_.size() == header_end) out_.resize(mark);
  }

  // name{label="value"} number
  template <typename Number>
  void sample(std::string_view label, std::string_view value, Number number) {
    out_ += name_;
    out_ += '{';
    out_ += label;
    out_ += "=\"";
    append_escaped(value);
    out_ += "\"} ";
    append_number(number);
    out_ += '\n';
  }
  // name{path="p",state="s"} number
  void sample2(std::string_view path, std::string_view state, int number) {
    out_ += name_;
    out_ += "{path=\"";
    append_escaped(path);
    out_ += "\",state=\"";
    append_escaped(state);
    out_ += "\"} ";
    append_number(number);
    out_ += '\n';
  }
  template <typename Number>
  void bare(Number number) {
    out_ += name_;
    out_ += ' ';
    append_number(number);
    out_ += '\n';
  }

 private:
  void append_escaped(std::string_view value) {
    // A plain loop: find_first_of calls memchr over the set once per character, and this
    // runs for every label of some 60,000 samples.
    const bool plain =
        std::none_of(value.begin(), value.end(), [](char c) { return c == '\\' || c == '"' || c == '\n'; });
    if (plain) {
      out_ += value;
    } else {
      out_ += escape_label_value(value);
    }
  }
  template <typename Number>
  void append_number(Number number) {
    char buf[64];
    std::to_chars_result r{};
    if constexpr (std::is_same_v<Number, Fixed>) {
      r = std::to_chars(buf, buf + sizeof buf, number.value, std::chars_format::fixed, number.digits);
    } else {
      r = std::to_chars(buf, buf + sizeof buf, number);  // shortest form for a double
    }
    out_.append(buf, r.ptr);
  }

  std::string& out_;
  std::string_view name_;
};

// A family's samples: `fn(writer, node)` for every node.
template <typename Fn>
auto each(const std::vector<const StatusNode*>& nodes, Fn fn) {
  return [&nodes, fn](Writer& writer) {
    for (const StatusNode* n : nodes) fn(writer, *n);
  };
}

// A signal's death as a shell reports it: 128 + the signal's number.
int exit_code_of(const core::ExitStatus& status) {
  return status.signaled ? 128 + status.value : status.value;
}

void tree_families(Writer& w, const std::vector<const StatusNode*>& nodes, const MetricsInput& in) {
  w.family("arbor_up", "gauge", "1 when the child is running, 0 otherwise.",
           each(nodes, [](Writer& o, const StatusNode& n) {
             o.sample("path", n.path, n.state == ChildState::running ? 1 : 0);
           }));
  w.family("arbor_state", "gauge", "1 for the state the child is in, 0 for the other states.",
           each(nodes, [](Writer& o, const StatusNode& n) {
             for (ChildState s : kStates) o.sample2(n.path, core::to_string(s), n.state == s ? 1 : 0);
           }));
  w.family("arbor_restarts_total", "counter", "Automatic restarts of the child since arbord started.",
           each(nodes, [](Writer& o, const StatusNode& n) { o.sample("path", n.path, n.restarts); }));
  w.family("arbor_start_time_seconds", "gauge",
           "Start of the worker's running process, in seconds since the epoch.",
           each(nodes, [&in](Writer& o, const StatusNode& n) {
             if (!n.started_at) return;
             const double seconds =
                 in.wall_now_seconds - static_cast<double>(in.monotonic_now - *n.started_at) / 1e3;
             o.sample("path", n.path, Fixed{seconds, 3});
           }));
  w.family("arbor_last_exit_code", "gauge",
           "The worker's last exit code (128 + the signal's number after a signal).",
           each(nodes, [](Writer& o, const StatusNode& n) {
             if (n.last_exit) o.sample("path", n.path, exit_code_of(*n.last_exit));
           }));
  w.family("arbor_oom_kills_total", "counter", "Exits of the worker by the kernel's OOM killer.",
           each(nodes, [](Writer& o, const StatusNode& n) {
             if (is_worker(n)) o.sample("path", n.path, n.totals.oom_kills);
           }));
  w.family("arbor_health_failures_total", "counter",
           "Failed health checks of the worker (outside its start period).",
           each(nodes, [](Writer& o, const StatusNode& n) {
             if (is_worker(n)) o.sample("path", n.path, n.totals.health_failures);
           }));
  w.family("arbor_gave_up_total", "counter",
           "Times the supervisor gave up (its restart intensity was reached).",
           each(nodes, [](Writer& o, const StatusNode& n) {
             if (!is_worker(n)) o.sample("path", n.path, n.totals.gave_up);
           }));
  w.family("arbor_log_dropped_bytes_total", "counter",
           "Bytes of the worker's captured output that arbord dropped.",
           each(nodes, [](Writer& o, const StatusNode& n) {
             if (is_worker(n)) o.sample("path", n.path, n.totals.log_dropped_bytes);
           }));
  const auto usage = [&in](const StatusNode& n) -> const CgroupUsage* {
    if (!is_worker(n) || in.usage.empty()) return nullptr;
    const auto it = in.usage.find(n.path);
    return it == in.usage.end() ? nullptr : &it->second;
  };
  w.family("arbor_memory_bytes", "gauge",
           "The worker's cgroup memory.current (cgroups with the memory controller).",
           each(nodes, [&usage](Writer& o, const StatusNode& n) {
             const CgroupUsage* u = usage(n);
             if (u != nullptr && u->memory_bytes) o.sample("path", n.path, *u->memory_bytes);
           }));
  w.family("arbor_cpu_seconds_total", "counter",
           "CPU time of the worker's cgroup (cpu.stat usage_usec), in seconds.",
           each(nodes, [&usage](Writer& o, const StatusNode& n) {
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
             if (p.start_time_seconds) o.bare(Fixed{*p.start_time_seconds, 2});
           });
  return out;
}

}  // namespace arbor::control
