// The child specs of a reexec state (format 3): each distinct spec is written once, as the
// JSON `arborctl spec` prints (config::to_json, read back by config::load_child), and every
// node of the tree refers to it by number. 5,000 workers started from one template or
// written alike cost one spec, parsed once, instead of 5,000.
//
// A spec tree is written as: id, the number of its spec, and for a supervisor the count of
// its children and each child the same way. A supervisor's entry holds everything of it
// but its children (a dynamic supervisor's template included).
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/tree_spec.h"
#include "daemon/app/reexec_wire.h"

namespace arbor::app {

class SpecWriter {
 public:
  // Writes `spec` (with its subtree) into `out`, adding the specs it needs to the table.
  void tree(const config::ChildSpec& spec, wire::Writer& out);
  // The table: to be written before the trees that refer to it.
  void table(wire::Writer& out) const;

 private:
  std::size_t index(const config::ChildSpec& spec);
  std::vector<std::string> json_;                              // each distinct spec, as JSON
  std::vector<const config::ChildSpec*> workers_;              // the worker specs among them
  std::unordered_multimap<std::size_t, std::size_t> by_hash_;  // a worker spec's hash -> json_ index
};

class SpecReader {
 public:
  // Reads the table (throws std::invalid_argument for a spec load_child refuses).
  void table(wire::Reader& in);
  // Reads one spec tree; `root` for the configured root (its id is "/").
  config::ChildSpec tree(wire::Reader& in, bool root = false, int depth = 0) const;

 private:
  std::vector<config::ChildSpec> specs_;
};

}  // namespace arbor::app
