// LineReader: chunked input, split lines, CRLF and the 1 MiB cap.
#include <gtest/gtest.h>

#include "daemon/protocol/line_reader.h"
#include "daemon/protocol/wire.h"

namespace arbor::protocol {
namespace {

std::vector<std::string> drain(LineReader& r) {
  std::vector<std::string> out;
  while (auto l = r.next()) out.push_back(*l);
  return out;
}

TEST(LineReaderTest, LinesSplitAcrossChunks) {
  LineReader r(100);
  r.feed("ab");
  EXPECT_TRUE(drain(r).empty());
  r.feed("c\nde");
  EXPECT_EQ(drain(r), (std::vector<std::string>{"abc"}));
  r.feed("f\n\ng\r\nh");
  EXPECT_EQ(drain(r), (std::vector<std::string>{"def", "", "g"}));
  EXPECT_EQ(r.pending(), 1u);
  EXPECT_FALSE(r.overflowed());
}

TEST(LineReaderTest, ByteByByte) {
  LineReader r(100);
  const std::string text = "{\"id\":1}\n{\"id\":2}\n";
  std::vector<std::string> got;
  for (char c : text) {
    r.feed(std::string_view(&c, 1));
    for (auto& l : drain(r)) got.push_back(l);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"{\"id\":1}", "{\"id\":2}"}));
}

TEST(LineReaderTest, ALineAtTheCapIsFineOneByteMoreIsNot) {
  LineReader ok(10);
  ok.feed(std::string(10, 'x') + "\n");
  EXPECT_EQ(drain(ok).size(), 1u);
  EXPECT_FALSE(ok.overflowed());

  LineReader over(10);
  over.feed("short\n" + std::string(11, 'x'));
  EXPECT_EQ(drain(over), (std::vector<std::string>{"short"}));
  EXPECT_TRUE(over.overflowed());
  over.feed("\nmore\n");
  EXPECT_TRUE(drain(over).empty()) << "nothing after an oversize line";
}

TEST(LineReaderTest, OversizeLineInChunksWithoutNewline) {
  LineReader r(kMaxLineBytes);
  const std::string chunk(64 * 1024, 'a');
  for (int i = 0; i < 16; ++i) r.feed(chunk);
  EXPECT_FALSE(r.overflowed()) << "exactly 1 MiB so far";
  r.feed("a");
  EXPECT_TRUE(r.overflowed());
  EXPECT_EQ(r.pending(), 0u) << "the oversize line is not kept";
}

TEST(WireTest, ParseReply) {
  Reply ok = parse_reply(R"({"id":1,"ok":true,"result":{"a":1}})");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.result["a"], 1);
  Reply bad = parse_reply(R"({"id":1,"ok":false,"error":{"code":"busy","message":"m"}})");
  EXPECT_EQ(bad.error_code, "busy");
  EXPECT_EQ(bad.error_message, "m");
  EXPECT_THROW(parse_reply("nope"), ProtocolError);
  EXPECT_EQ(encode_line(nlohmann::json{{"line", std::string("a\xff")}}).back(), '\n');
}

TEST(WireTest, ErrorCodesRoundTrip) {
  for (const char* name : {"bad_request", "forbidden", "not_found", "already_present", "running",
                           "max_children", "bad_spec", "busy", "start_failed", "timeout"}) {
    auto code = error_code_from_string(name);
    ASSERT_TRUE(code.has_value()) << name;
    EXPECT_EQ(to_string(*code), name);
  }
  EXPECT_FALSE(error_code_from_string("nope").has_value());
}

}  // namespace
}  // namespace arbor::protocol
