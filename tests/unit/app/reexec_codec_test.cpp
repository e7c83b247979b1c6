// The reexec state's format 3 (daemon/app/reexec_codec.cpp): every setting and spec read
// back as written, each distinct spec written once, and damaged bytes refused with a reason.
#include <gtest/gtest.h>

#include "config/load.h"
#include "daemon/app/reexec_state.h"

namespace arbor::app {
namespace {

constexpr const char* kConfig = R"({
  "socket": "/tmp/x/arbord.sock", "log_dir": "/tmp/x/logs", "state_file": "/tmp/x/kept.state",
  "cgroups": "off", "metrics": {"listen": "127.0.0.1:9464"}, "logs": {"max_bytes": 1000, "keep": 2},
  "root": {"strategy": "rest_for_one", "max_restarts": 7, "children": [
    {"id": "a", "command": ["/bin/sleep", "1000"]},
    {"id": "b", "command": ["/bin/sleep", "1000"]},
    {"id": "c", "command": ["/bin/sleep", "2000"], "env": {"K": "v"}, "limits": {"pids_max": 9}},
    {"id": "sub", "type": "supervisor", "children": [{"id": "d", "command": ["/bin/sleep", "1000"]}]},
    {"id": "jobs", "type": "dynamic_supervisor", "max_children": 3,
     "template": {"command": ["/bin/sleep", "3000"]}}]}})";

ReexecState sample() {
  config::LoadOptions options;
  options.check_paths = false;
  auto loaded = config::load_text(kConfig, options);
  EXPECT_TRUE(loaded.tree.has_value());
  ReexecState s;
  s.tree = *loaded.tree;
  s.snapshot.root_spec = loaded.tree->root;
  s.tree.root = {};
  s.argv = {"/usr/bin/arbord", "--config", "x.json"};
  s.config_path = "x.json";
  s.snapshot.root.id = "/";
  s.snapshot.root.worker = false;
  s.snapshot.root.intensity = {5, 6};
  core::NodeSnapshot added;
  added.id = "jobs-1";
  added.runtime_spec = std::make_shared<const config::ChildSpec>(loaded.tree->root.supervisor->children[0]);
  s.snapshot.root.children.push_back(added);
  s.header.request_id = 7;
  s.event_seq = 42;
  return s;
}

TEST(ReexecCodec, EverySettingAndSpecReadBack) {
  const ReexecState in = sample();
  const std::string bytes = encode(in);
  // a and b differ by their ids alone: one entry; c, the template's own and the supervisors apart.
  EXPECT_EQ(bytes.find("\"/bin/sleep\",\"1000\""), bytes.rfind("\"/bin/sleep\",\"1000\"")) << bytes;
  ReexecState out;
  std::string why;
  ASSERT_TRUE(decode(bytes, out, why)) << why;
  EXPECT_TRUE(out.snapshot.root_spec == in.snapshot.root_spec);
  EXPECT_EQ(out.tree.socket, in.tree.socket);
  EXPECT_EQ(out.tree.log_dir, in.tree.log_dir);
  EXPECT_EQ(out.tree.state_file, "/tmp/x/kept.state");
  EXPECT_TRUE(out.tree.logs == in.tree.logs);
  EXPECT_EQ(out.tree.cgroups, config::CgroupsMode::off);
  EXPECT_TRUE(out.tree.metrics == in.tree.metrics);
  EXPECT_EQ(out.argv, in.argv);
  EXPECT_EQ(out.snapshot.root.intensity, in.snapshot.root.intensity);
  ASSERT_EQ(out.snapshot.root.children.size(), 1u);
  ASSERT_NE(out.snapshot.root.children[0].runtime_spec, nullptr);
  EXPECT_TRUE(*out.snapshot.root.children[0].runtime_spec == *in.snapshot.root.children[0].runtime_spec);
  EXPECT_EQ(out.event_seq, 42u);
  EXPECT_EQ(out.header.request_id, 7);
}

TEST(ReexecCodec, DamagedBytesAreRefusedWithAReason) {
  const std::string bytes = encode(sample());
  for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
    ReexecState out;
    std::string why;
    EXPECT_FALSE(decode(bytes.substr(0, cut), out, why)) << cut;
    EXPECT_FALSE(why.empty()) << cut;
  }
  std::string newer = bytes;
  newer.replace(0, 14, "ARBORD-STATE 4");
  ReexecState out;
  std::string why;
  EXPECT_FALSE(decode(newer, out, why));
  EXPECT_NE(why.find("format version 4"), std::string::npos) << why;
}

}  // namespace
}  // namespace arbor::app
