#include "services/common/migration_rules.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kvo::common {
namespace {

// One statement as read: `shown` as written (comments out, whitespace
// collapsed), `scan` upper-cased with the contents of quoted strings and
// dollar-quoted bodies left out, and whether a `-- contract:` line went
// before it.
struct Statement {
  std::string shown;
  std::string scan;
  bool marked = false;
};

void Append(std::string& to, char c) {
  if (std::isspace(static_cast<unsigned char>(c))) {
    if (!to.empty() && to.back() != ' ') to.push_back(' ');
  } else {
    to.push_back(c);
  }
}

std::vector<Statement> Split(absl::string_view sql) {
  std::vector<Statement> out;
  Statement cur;
  auto finish = [&] {
    absl::StripAsciiWhitespace(&cur.shown);
    absl::StripAsciiWhitespace(&cur.scan);
    if (!cur.scan.empty()) out.push_back(cur);
    cur = Statement{};
  };
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (sql.substr(i, 2) == "--") {
      size_t end = sql.find('\n', i);
      if (end == absl::string_view::npos) end = sql.size();
      absl::string_view comment =
          absl::StripAsciiWhitespace(sql.substr(i + 2, end - i - 2));
      if (absl::StartsWithIgnoreCase(comment, "contract:")) cur.marked = true;
      Append(cur.shown, ' ');
      Append(cur.scan, ' ');
      i = end;
      continue;
    }
    if (sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      i = end == absl::string_view::npos ? sql.size() : end + 2;
      Append(cur.shown, ' ');
      Append(cur.scan, ' ');
      continue;
    }
    if (c == '\'' || c == '"') {
      // A quoted string or name: shown as written, not scanned ('' and ""
      // inside are two quotes in a row, read as the end and a new start).
      size_t end = sql.find(c, i + 1);
      if (end == absl::string_view::npos) end = sql.size() - 1;
      absl::StrAppend(&cur.shown, sql.substr(i, end - i + 1));
      cur.scan.append(c == '"' ? " NAME " : " 'TEXT' ");
      i = end + 1;
      continue;
    }
    if (c == '$') {
      // $$ or $tag$: a dollar-quoted body, up to the same tag again.
      size_t close = sql.find('$', i + 1);
      const absl::string_view tag =
          close == absl::string_view::npos ? "" : sql.substr(i, close - i + 1);
      const bool is_tag =
          !tag.empty() &&
          std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
            return std::isalnum(static_cast<unsigned char>(t)) || t == '_';
          });
      if (is_tag) {
        size_t end = sql.find(tag, close + 1);
        end = end == absl::string_view::npos ? sql.size() : end + tag.size();
        cur.shown.append(" $…$ ");
        cur.scan.append(" BODY ");
        i = end;
        continue;
      }
    }
    if (c == ';') {
      finish();
      ++i;
      continue;
    }
    Append(cur.shown, c);
    Append(cur.scan,
           static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    ++i;
  }
  finish();
  return out;
}

// The parts of "ALTER TABLE t a, b, c" after the name, split on commas
// outside parentheses.
std::vector<std::string> AlterActions(const std::string& scan) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : scan) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

bool Contracts(const std::string& s) {
  static const std::regex kDrop(R"(^DROP (?!INDEX ))");
  static const std::regex kStarts(
      R"(^(TRUNCATE|REVOKE|CREATE UNIQUE INDEX|ALTER .*\bRENAME\b))");
  if (std::regex_search(s, kDrop) || std::regex_search(s, kStarts)) {
    return true;
  }
  if (!absl::StartsWith(s, "ALTER ")) return false;
  // An ALTER's actions: dropping anything but a constraint or a NOT NULL,
  // a type change, a new NOT NULL, a new table constraint, a NOT NULL
  // column without a default.
  static const std::regex kDropPart(R"(\bDROP (?!CONSTRAINT\b|NOT NULL\b))");
  static const std::regex kType(R"(\bALTER (COLUMN )?\S+ (SET DATA )?TYPE\b)");
  static const std::regex kSetNotNull(R"(\bSET NOT NULL\b)");
  static const std::regex kAddConstraint(
      R"(\bADD (CONSTRAINT|CHECK|UNIQUE|PRIMARY KEY|FOREIGN KEY|EXCLUDE)\b)");
  static const std::regex kAddColumn(R"(\bADD (COLUMN )?)");
  for (const std::string& action : AlterActions(s)) {
    if (std::regex_search(action, kDropPart) ||
        std::regex_search(action, kType) ||
        std::regex_search(action, kSetNotNull) ||
        std::regex_search(action, kAddConstraint)) {
      return true;
    }
    if (std::regex_search(action, kAddColumn) &&
        absl::StrContains(action, "NOT NULL") &&
        !absl::StrContains(action, "DEFAULT")) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> ContractingStatements(absl::string_view sql) {
  std::vector<std::string> out;
  for (const Statement& s : Split(sql)) {
    if (!s.marked && Contracts(s.scan)) out.push_back(s.shown);
  }
  return out;
}

}  // namespace kvo::common
