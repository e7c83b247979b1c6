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

// False when NO_COLOR is set (https://no-color.org); else true when CLICOLOR_FORCE is
// set and not 0 (https://bixense.com/clicolors/), or when stdout is a terminal.
bool colour_wanted();

}  // namespace arbor::ctl
