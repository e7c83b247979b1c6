// The `metrics` reply without a DOM (daemon/protocol/json_text.h): arbord's writer and
// arborctl's reader agree with nlohmann's JSON on every kind of byte, and the reader refuses
// what is not a plain success line, so arborctl falls back to the full parse.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/protocol/commands/metrics.h"
#include "daemon/protocol/json_text.h"
#include "daemon/protocol/line_reader.h"
#include "daemon/protocol/wire.h"

namespace arbor::testing {
namespace {

using protocol::commands::Metrics;

std::string written(std::string_view text) {
  std::string out;
  protocol::append_json_string(out, text);
  return out;
}

TEST(JsonTextTest, WritesWhatNlohmannReadsBack) {
  std::string all_bytes;
  for (int c = 1; c < 0x80; ++c) all_bytes += static_cast<char>(c);
  for (const std::string& text : {std::string(), std::string("plain"), std::string("a\"b\\c\nd\te\x01"),
                                  all_bytes, std::string("caf\xc3\xa9 \xe2\x82\xac")}) {
    EXPECT_EQ(nlohmann::json::parse(written(text)).get<std::string>(), text);
  }
  // Invalid UTF-8 is replaced, as nlohmann's dump does: the line stays valid JSON.
  EXPECT_TRUE(nlohmann::json::accept(written("bad \xff byte")));
}

TEST(JsonTextTest, ReadsWhatNlohmannWrites) {
  for (const std::string& text : {std::string("x"), std::string("q\"b\\s/\n\t\r\b\f\x1f"),
                                  std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")}) {
    for (const bool ascii : {false, true}) {
      const std::string json = nlohmann::json(text).dump(-1, ' ', ascii);
      std::string_view in = json;
      const auto back = protocol::read_json_string(in);
      ASSERT_TRUE(back.has_value()) << json;
      EXPECT_EQ(*back, text);
      EXPECT_TRUE(in.empty());
    }
  }
  for (const std::string_view bad :
       {"", "x", "\"open", "\"bad \\x\"", "\"\\ud800\"", "\"\\u12\"", "\"raw \n newline\""}) {
    std::string_view in = bad;
    EXPECT_FALSE(protocol::read_json_string(in).has_value()) << bad;
  }
}

TEST(JsonTextTest, MetricsReplyLineRoundTrip) {
  const Metrics::Result result{"# HELP a b\narbor_up{path=\"w\\\"1\"} 1\n"};
  std::string json;
  result.append_json(json);
  EXPECT_EQ(nlohmann::json::parse(json), result.to_json());
  for (const nlohmann::json& id : {nlohmann::json(1), nlohmann::json("req-7"), nlohmann::json(nullptr)}) {
    std::string line = protocol::encode_reply_ok(id, json);
    line.pop_back();  // the reader hands lines over without their "\n"
    const auto back = Metrics::Result::from_reply_line(line);
    ASSERT_TRUE(back.has_value()) << line;
    EXPECT_EQ(back->text, result.text);
  }
  const std::string error =
      protocol::encode_line(protocol::reply_error(1, protocol::ErrorCode::forbidden, "no"));
  EXPECT_FALSE(Metrics::Result::from_reply_line(error.substr(0, error.size() - 1)).has_value());
  EXPECT_FALSE(Metrics::Result::from_reply_line(R"({"id":1,"ok":true,"result":{"text":"a","x":1}})"));
  EXPECT_FALSE(Metrics::Result::from_reply_line(R"({"ok":true,"id":1,"result":{"text":"a"}})"));
}

// A long line in many small chunks comes out whole, and lines before and after it too.
TEST(JsonTextTest, LongLineInManyChunks) {
  protocol::LineReader reader(1 << 20);
  const std::string big(300000, 'x');
  const std::string stream = "a\n" + big + "\nb\nc";
  for (std::size_t i = 0; i < stream.size(); i += 4096) reader.feed(std::string_view(stream).substr(i, 4096));
  EXPECT_EQ(reader.next(), "a");
  EXPECT_EQ(reader.next(), big);
  EXPECT_EQ(reader.next(), "b");
  EXPECT_EQ(reader.next(), std::nullopt);
  EXPECT_EQ(reader.pending(), 1U);
  reader.feed("\n");
  EXPECT_EQ(reader.next(), "c");
  EXPECT_FALSE(reader.overflowed());
}

}  // namespace
}  // namespace arbor::testing
