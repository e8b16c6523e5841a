#ifndef KVO_CLIENTS_CLI_OUTPUT_H_
#define KVO_CLIENTS_CLI_OUTPUT_H_

#include <grpcpp/support/status.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace kvo::cli {

// Exit codes of kvo.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the server refused or failed
inline constexpr int kExitUsage = 2;   // bad arguments or local config

// The language of the values people read (--lang): labels, yes/no. Keys,
// and what --json prints, do not change with it.
enum class Lang { kNl, kEn };

// How a command prints: for a person in `lang`, or for a script (--json).
struct OutputStyle {
  bool json = false;
  Lang lang = Lang::kNl;
};

// One cell of kvo's output. A person reads text, "€ 181,00", a local time
// and labels in their language; a script reads the same keys with typed
// values: numbers as numbers, money in cents, times as RFC 3339 with their
// zone, labels as their stable code, yes/no as true/false, nothing as null.
class Value {
 public:
  Value() = default;
  // Text is shown as it is (most cells: names, reasons, paths).
  Value(std::string text);  // NOLINT(google-explicit-constructor)
  Value(const char* text);  // NOLINT(google-explicit-constructor)

  static Value Int(int64_t number);
  // An id where 0 means none: "-" for a person, null for a script.
  static Value Id(int64_t id);
  static Value Money(int64_t cents);
  // A percentage to one decimal: "12,5 %" (a Dutch reader), "12.5 %",
  // 12.5 for a script.
  static Value Percent(double percent);
  // A moment, to the minute (or to the second: audit rows). An unset time
  // (the epoch) is "-" / null.
  static Value Time(absl::Time time, bool seconds = false);
  // A calendar day "2026-11-30": "30 november 2026" for a Dutch reader, as
  // it is in English and for scripts; null when empty.
  static Value Day(std::string iso_day);
  static Value Bool(bool yes);
  // A code people read through its label (clients/cli/labels.h), of
  // `family` when the code means different things in different places.
  static Value Label(std::string code, std::string family = "");
  static Value Null();
  // Text kvod wrote in English (a card's rule) with its Dutch reading: a
  // script reads the English as written.
  static Value Translated(std::string en, std::string nl);

  // What a person reads.
  std::string Text(Lang lang) const;
  // The JSON literal a script reads.
  std::string Json() const;

 private:
  enum class Kind {
    kText,
    kInt,
    kMoney,
    kPercent,
    kTime,
    kDay,
    kBool,
    kLabel,
    kTranslated,
    kNull
  };
  Kind kind_ = Kind::kText;
  std::string text_;
  std::string family_;
  std::string nl_;  // kTranslated: the Dutch reading
  int64_t number_ = 0;
  double decimal_ = 0;
  absl::Time time_;
  bool seconds_ = false;
};

// "€ 181,00", "-€ 5,00": how money reads in kvo and in its letters.
std::string EuroText(int64_t cents);

// Rows for a person (aligned columns) or for a script (--json: an array of
// objects keyed by column name).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
};
void PrintTable(const Table& table, const OutputStyle& style);
// The table as CSV (RFC 4180: a header row, CRLF line ends, fields quoted
// when they hold a comma, quote or line break), values as a person reads
// them in `lang`.
std::string CsvText(const Table& table, Lang lang = Lang::kNl);
// Writes CsvText to `path`; false with `error` set when it cannot.
bool WriteCsv(const Table& table, const std::string& path, std::string* error,
              Lang lang = Lang::kNl);

// One record: "key: value" lines, or a JSON object.
using Record = std::vector<std::pair<std::string, Value>>;
void PrintRecord(const Record& record, const OutputStyle& style);
// The value of `key` in `record` as a person reads it ("" when absent).
std::string TextOf(const Record& record, const std::string& key,
                   Lang lang = Lang::kNl);
// Records of the same keys as one table (columns from the first).
Table TableOf(const std::vector<Record>& records);

// Writes `bytes` to `path` (replacing it); kExitOk, or reports that it
// cannot and returns kExitFailed.
int WriteFile(const std::string& path, const std::string& bytes);

// "kvo: NOT_FOUND: <message>" on stderr; returns kExitFailed.
int ReportRpcError(const grpc::Status& status);
// kvod's "field (kvo [command] --flag)" as just "--flag", for a person.
std::string FlagsForPeople(const std::string& message);
// "kvo: <message>" on stderr; returns `exit_code`.
int ReportError(const std::string& message, int exit_code = kExitUsage);

std::string StatusCodeName(grpc::StatusCode code);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_OUTPUT_H_
