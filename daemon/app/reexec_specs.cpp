// reexec_specs.h: each distinct child spec of the state written once.
#include "daemon/app/reexec_specs.h"

#include <functional>
#include <stdexcept>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "config/load.h"

namespace arbor::app {

namespace {

constexpr int kMaxDepth = 64;

// Equal specs but for the id. Every member of config::ChildSpec but `id`: one added there
// must be added here (else two workers differing only by it would share a spec).
bool same_but_id(const config::ChildSpec& a, const config::ChildSpec& b) {
  return a.type == b.type && a.restart == b.restart && a.shutdown == b.shutdown &&
         a.significant == b.significant && a.limits == b.limits && a.worker == b.worker &&
         a.supervisor == b.supervisor;
}

// A hash of what most often tells worker specs apart (equal specs hash equal).
std::size_t hash_of(const config::ChildSpec& c) {
  std::size_t h = std::hash<int>{}(static_cast<int>(c.restart) * 7 + static_cast<int>(c.type));
  const auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  for (const std::string_view arg : c.worker.command) mix(std::hash<std::string_view>{}(arg));
  for (const auto& [k, v] : c.worker.env) mix(std::hash<std::string>{}(k) ^ std::hash<std::string>{}(v));
  mix(std::hash<std::int64_t>{}(c.shutdown.ms));
  return h;
}

std::string spec_json(const config::ChildSpec& spec) {
  nlohmann::json j = config::to_json(spec);
  j["id"] = "x";  // a placeholder load_child accepts; each node has its own (the root's is "/")
  return j.dump();
}

// A supervisor's spec but its children, made field by field (a copy then a clear would copy
// every child first: 5,000 under the root). Every member of SupervisorSpec but `children`.
config::ChildSpec without_children(const config::ChildSpec& spec) {
  config::ChildSpec alone;
  alone.id = spec.id;
  alone.type = spec.type;
  alone.restart = spec.restart;
  alone.shutdown = spec.shutdown;
  alone.significant = spec.significant;
  alone.limits = spec.limits;
  const config::SupervisorSpec& from = *spec.supervisor;
  config::SupervisorSpec sup;
  sup.strategy = from.strategy;
  sup.max_restarts = from.max_restarts;
  sup.max_seconds = from.max_seconds;
  sup.auto_shutdown = from.auto_shutdown;
  sup.max_children = from.max_children;
  sup.child_template = from.child_template;
  alone.supervisor = std::move(sup);
  return alone;
}

}  // namespace

std::size_t SpecWriter::index(const config::ChildSpec& spec) {
  if (!spec.is_worker()) {  // few: one entry each, without its children
    json_.push_back(spec_json(without_children(spec)));
    workers_.push_back(nullptr);
    return json_.size() - 1;
  }
  const std::size_t h = hash_of(spec);
  const auto [from, to] = by_hash_.equal_range(h);
  for (auto it = from; it != to; ++it)
    if (same_but_id(*workers_[it->second], spec)) return it->second;
  json_.push_back(spec_json(spec));
  workers_.push_back(&spec);
  by_hash_.emplace(h, json_.size() - 1);
  return json_.size() - 1;
}

void SpecWriter::tree(const config::ChildSpec& spec, wire::Writer& out) {
  out.str(spec.id);
  out.num(index(spec));
  if (spec.is_worker()) return;
  out.num(spec.supervisor->children.size());
  for (const auto& child : spec.supervisor->children) tree(child, out);
}

void SpecWriter::table(wire::Writer& out) const {
  out.num(json_.size());
  for (const auto& j : json_) out.str(j);
}

void SpecReader::table(wire::Reader& in) {
  const std::size_t n = in.count();
  specs_.reserve(n);
  config::LoadOptions options;
  options.check_paths = false;
  for (std::size_t i = 0; i < n; ++i) {
    const auto j = nlohmann::json::parse(in.view(), nullptr, false);
    if (j.is_discarded()) throw std::invalid_argument("a spec that is not JSON");
    auto loaded = config::load_child(j, "", options);
    if (!loaded.child) throw std::invalid_argument("a spec: " + to_string(loaded.errors.front()));
    specs_.push_back(std::move(*loaded.child));
  }
}

config::ChildSpec SpecReader::tree(wire::Reader& in, bool root, int depth) const {
  if (depth > kMaxDepth) throw std::invalid_argument("the tree is nested too deeply");
  std::string id = in.str();
  const auto at = in.num<std::size_t>();
  if (at >= specs_.size()) throw std::invalid_argument("a spec number out of range");
  if (root ? id != "/" : (id.empty() || id.find('/') != std::string::npos))
    throw std::invalid_argument("a bad child id");
  const config::ChildSpec& entry = specs_[at];
  if (root && entry.is_worker()) throw std::invalid_argument("a root that is not a supervisor");
  config::ChildSpec spec = entry;
  spec.id = std::move(id);
  if (spec.is_worker()) return spec;
  const std::size_t n = in.count();
  auto& children = spec.supervisor->children;
  children.reserve(n);
  std::unordered_set<std::string> ids;
  for (std::size_t i = 0; i < n; ++i) {
    children.push_back(tree(in, false, depth + 1));
    if (!ids.insert(children.back().id).second) throw std::invalid_argument("two children with one id");
  }
  return spec;
}

}  // namespace arbor::app
