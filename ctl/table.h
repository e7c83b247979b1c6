// Table: aligned columns for arborctl's human output, with optional colour that does
// not count towards a column's width.
#pragma once

#include <string>
#include <vector>

namespace arbor::ctl {

struct Cell {
  std::string text;
  const char* colour = nullptr;  // an ANSI SGR sequence such as "32", or null
};

class Table {
 public:
  Table(std::vector<std::string> headers, bool colour) : headers_(std::move(headers)), colour_(colour) {}
  void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  // Columns separated by two spaces; the last column is not padded.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
  bool colour_;
};

// True when stdout is a terminal and NO_COLOR is unset (https://no-color.org).
bool colour_wanted();

}  // namespace arbor::ctl
