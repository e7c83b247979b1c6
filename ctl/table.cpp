#include "ctl/table.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace arbor::ctl {

namespace {
// Display width of UTF-8 text: code points, not bytes (ids are ASCII; paths may not be).
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}
}  // namespace

std::string Table::render() const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  for (std::size_t i = 0; i < headers_.size(); ++i) widths[i] = width(headers_[i]);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], width(row[i].text));
  }
  std::string out;
  auto line = [&](const std::vector<Cell>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      const Cell& cell = cells[i];
      if (colour_ && cell.colour != nullptr) {
        text += std::string("\033[") + cell.colour + "m" + cell.text + "\033[0m";
      } else {
        text += cell.text;
      }
      if (i + 1 < cells.size()) text += std::string(widths[i] - width(cell.text) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  std::vector<Cell> header;
  for (const auto& h : headers_) header.push_back(Cell{h});
  line(header);
  for (const auto& row : rows_) line(row);
  return out;
}

bool colour_wanted() {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force != nullptr && force[0] != '\0' && std::string_view(force) != "0") return true;
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace arbor::ctl
