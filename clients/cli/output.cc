#include "clients/cli/output.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli/labels.h"
#include "services/common/dutch_date.h"
#include "services/common/local_time.h"
#include "services/common/log.h"

namespace kvo::cli {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  common::AppendJsonEscaped(out, s);
  return out + "\"";
}

void PrintJsonObject(const std::vector<std::string>& keys,
                     const std::vector<Value>& values) {
  std::cout << "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) std::cout << ",";
    std::cout << JsonString(keys[i]) << ":"
              << (i < values.size() ? values[i].Json() : "null");
  }
  std::cout << "}";
}

// "30 november 2026"; the text itself when it is no day.
std::string DutchDayText(const std::string& day) {
  absl::CivilDay parsed;
  if (!absl::ParseCivilTime(day, &parsed)) return day;
  return common::DutchDay(parsed);
}

// Display width in characters, not bytes: "€" and "ë" are one column.
size_t Columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

Value::Value(std::string text) : text_(std::move(text)) {}
Value::Value(const char* text) : text_(text) {}

Value Value::Int(int64_t number) {
  Value v;
  v.kind_ = Kind::kInt;
  v.number_ = number;
  return v;
}

Value Value::Id(int64_t id) { return id == 0 ? Null() : Int(id); }

Value Value::Money(int64_t cents) {
  Value v;
  v.kind_ = Kind::kMoney;
  v.number_ = cents;
  return v;
}

Value Value::Percent(double percent) {
  Value v;
  v.kind_ = Kind::kPercent;
  v.decimal_ = percent;
  return v;
}

Value Value::Time(absl::Time time, bool seconds) {
  if (time == absl::UnixEpoch()) return Null();
  Value v;
  v.kind_ = Kind::kTime;
  v.time_ = time;
  v.seconds_ = seconds;
  return v;
}

Value Value::Day(std::string iso_day) {
  if (iso_day.empty()) return Null();
  Value v;
  v.kind_ = Kind::kDay;
  v.text_ = std::move(iso_day);
  return v;
}

Value Value::Bool(bool yes) {
  Value v;
  v.kind_ = Kind::kBool;
  v.number_ = yes ? 1 : 0;
  return v;
}

Value Value::Label(std::string code, std::string family) {
  if (code.empty()) return Null();
  Value v;
  v.kind_ = Kind::kLabel;
  v.text_ = std::move(code);
  v.family_ = std::move(family);
  return v;
}

Value Value::Translated(std::string en, std::string nl) {
  Value v;
  v.kind_ = Kind::kTranslated;
  v.text_ = std::move(en);
  v.nl_ = std::move(nl);
  return v;
}

Value Value::Null() {
  Value v;
  v.kind_ = Kind::kNull;
  return v;
}

std::string Value::Text(Lang lang) const {
  switch (kind_) {
    case Kind::kText:
      return text_;
    case Kind::kDay:
      return lang == Lang::kNl ? DutchDayText(text_) : text_;
    case Kind::kInt:
      return absl::StrCat(number_);
    case Kind::kMoney:
      return EuroText(number_);
    case Kind::kPercent: {
      std::string text = absl::StrFormat("%.1f %%", decimal_);
      if (lang == Lang::kNl) std::replace(text.begin(), text.end(), '.', ',');
      return text;
    }
    case Kind::kTime:
      return absl::FormatTime(
          seconds_ ? "%Y-%m-%d %H:%M:%S %Z" : "%Y-%m-%d %H:%M %Z", time_,
          common::Amsterdam());
    case Kind::kBool:
      return LabelText(number_ != 0 ? "yes" : "no", lang);
    case Kind::kLabel:
      return LabelText(text_, lang, family_);
    case Kind::kTranslated:
      return lang == Lang::kNl ? nl_ : text_;
    case Kind::kNull:
      return "-";
  }
  return text_;
}

std::string Value::Json() const {
  switch (kind_) {
    case Kind::kText:
    case Kind::kDay:
    case Kind::kLabel:
    case Kind::kTranslated:
      return JsonString(text_);
    case Kind::kInt:
    case Kind::kMoney:
      return absl::StrCat(number_);
    case Kind::kPercent:
      return absl::StrFormat("%.1f", decimal_);
    case Kind::kTime:
      return JsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", time_,
                                         common::Amsterdam()));
    case Kind::kBool:
      return number_ != 0 ? "true" : "false";
    case Kind::kNull:
      return "null";
  }
  return "null";
}

std::string EuroText(int64_t cents) {
  const uint64_t magnitude = cents < 0 ? 0 - static_cast<uint64_t>(cents)
                                       : static_cast<uint64_t>(cents);
  const std::string digits = absl::StrCat(magnitude / 100);
  // Thousands with a dot, as Dutch money is written: € 1.250,00.
  std::string euros;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) euros += '.';
    euros += digits[i];
  }
  return absl::StrFormat("%s€ %s,%02d", cents < 0 ? "-" : "", euros,
                         static_cast<int>(magnitude % 100));
}

void PrintTable(const Table& table, const OutputStyle& style) {
  if (style.json) {
    std::cout << "[";
    for (size_t r = 0; r < table.rows.size(); ++r) {
      if (r > 0) std::cout << ",";
      PrintJsonObject(table.columns, table.rows[r]);
    }
    std::cout << "]" << std::endl;
    return;
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : table.rows) {
    std::vector<std::string> texts;
    for (const Value& v : row) texts.push_back(v.Text(style.lang));
    cells.push_back(std::move(texts));
  }
  std::vector<size_t> width(table.columns.size());
  for (size_t c = 0; c < table.columns.size(); ++c) {
    width[c] = Columns(table.columns[c]);
    for (const auto& row : cells) {
      if (c < row.size()) width[c] = std::max(width[c], Columns(row[c]));
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      std::cout << cell;
      if (c + 1 < table.columns.size()) {
        std::cout << std::string(width[c] - Columns(cell) + 2, ' ');
      }
    }
    std::cout << "\n";
  };
  std::vector<std::string> header;
  for (const auto& col : table.columns) {
    std::string upper = col;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    header.push_back(upper);
  }
  print_row(header);
  for (const auto& row : cells) print_row(row);
  if (table.rows.empty()) {
    std::cout << (style.lang == Lang::kNl ? "(geen)\n" : "(none)\n");
  }
  std::cout.flush();
}

void PrintRecord(const Record& record, const OutputStyle& style) {
  if (style.json) {
    std::vector<std::string> keys;
    std::vector<Value> values;
    for (const auto& [k, v] : record) {
      keys.push_back(k);
      values.push_back(v);
    }
    PrintJsonObject(keys, values);
    std::cout << std::endl;
    return;
  }
  size_t width = 0;
  for (const auto& [k, v] : record) width = std::max(width, k.size());
  for (const auto& [k, v] : record) {
    std::cout << k << ":" << std::string(width - k.size() + 1, ' ')
              << v.Text(style.lang) << "\n";
  }
  std::cout.flush();
}

std::string TextOf(const Record& record, const std::string& key, Lang lang) {
  for (const auto& [k, v] : record) {
    if (k == key) return v.Text(lang);
  }
  return "";
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "CODE_" + std::to_string(static_cast<int>(code));
  }
}

std::string FlagsForPeople(const std::string& message) {
  // kvod names a field for API clients and kvo's flag for people:
  // "purpose (kvo --purpose): required". A person reads "--purpose: ...".
  static const std::regex kField(
      R"re([a-z_][a-z0-9_.\[\]]* \(kvo (?:[a-z][a-z-]* )*(--[a-z0-9-]+)\)(?=:))re");
  return std::regex_replace(message, kField, "$1");
}

int ReportRpcError(const grpc::Status& status) {
  std::string message = FlagsForPeople(status.error_message());
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::cerr << "kvo: " << StatusCodeName(status.error_code()) << ": "
            << message;
  // The connection hint, unless kvod itself answered why it is unavailable.
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      message.rfind("audit integrity failure", 0) != 0) {
    std::cerr << " (is kvod running there, and is --ca the CA certificate it "
                 "printed?)";
  }
  std::cerr << std::endl;
  return kExitFailed;
}

int ReportError(const std::string& message, int exit_code) {
  std::cerr << "kvo: " << message << std::endl;
  return exit_code;
}

Table TableOf(const std::vector<Record>& records) {
  Table t;
  if (records.empty()) return t;
  for (const auto& [key, value] : records.front()) t.columns.push_back(key);
  for (const Record& r : records) {
    std::vector<Value> row;
    for (const auto& [key, value] : r) row.push_back(value);
    t.rows.push_back(std::move(row));
  }
  return t;
}

namespace {

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void AppendCsvRow(const std::vector<std::string>& row, size_t columns,
                  std::string* out) {
  for (size_t c = 0; c < columns; ++c) {
    if (c > 0) *out += ',';
    *out += CsvField(c < row.size() ? row[c] : "");
  }
  *out += "\r\n";
}

std::vector<std::string> RowTexts(const std::vector<Value>& row, Lang lang) {
  std::vector<std::string> texts;
  for (const Value& v : row) texts.push_back(v.Text(lang));
  return texts;
}

}  // namespace

std::string CsvText(const Table& table, Lang lang) {
  std::string out;
  AppendCsvRow(table.columns, table.columns.size(), &out);
  for (const auto& row : table.rows) {
    AppendCsvRow(RowTexts(row, lang), table.columns.size(), &out);
  }
  return out;
}

bool WriteCsv(const Table& table, const std::string& path, std::string* error,
              Lang lang) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << CsvText(table, lang);
  file.close();
  if (!file) {
    *error = absl::StrCat("--csv ", path, ": cannot write the file");
    return false;
  }
  return true;
}

int WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return ReportError("cannot write " + path, kExitFailed);
  return kExitOk;
}

}  // namespace kvo::cli
