// Helpers shared by the config tests: a fixed PATH and short ways to load snippets.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.h"

namespace arbor::config::test {

// Fixed so that results do not depend on the machine running the tests.
inline LoadOptions options() {
  LoadOptions o;
  o.path_env = "/usr/bin:/bin";
  return o;
}

inline std::vector<std::string> texts(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  out.reserve(ds.size());
  for (const auto& d : ds) out.push_back(to_string(d));
  return out;
}

inline std::vector<std::string> errors_of(std::string_view text) {
  return texts(load_text(text, options()).errors);
}

// A file whose root has the given children (a JSON array body).
inline std::string with_children(const std::string& children) {
  return R"({"root": {"auto_shutdown": "any_significant", "children": [)" + children + "]}}";
}

// Loads one worker spec given as the members after "id" and returns its errors.
inline std::vector<std::string> worker_errors(const std::string& members) {
  return errors_of(with_children(R"({"id": "w", )" + members + "}"));
}

// The first child of a valid file; fails the test when the file has errors.
inline ChildSpec first_child(const std::string& children) {
  const LoadResult r = load_text(with_children(children), options());
  EXPECT_TRUE(r.errors.empty()) << ::testing::PrintToString(texts(r.errors));
  if (!r.tree || r.tree->root.supervisor->children.empty()) return {};
  return r.tree->root.supervisor->children.front();
}

inline WorkerSpec worker(const std::string& members) {
  return first_child(R"({"id": "w", )" + members + "}").worker;
}

}  // namespace arbor::config::test
