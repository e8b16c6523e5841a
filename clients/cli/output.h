#ifndef KVO_CLIENTS_CLI_OUTPUT_H_
#define KVO_CLIENTS_CLI_OUTPUT_H_

#include <grpcpp/support/status.h>

#include <string>
#include <utility>
#include <vector>

namespace kvo::cli {

// Exit codes of kvo.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the server refused or failed
inline constexpr int kExitUsage = 2;   // bad arguments or local config

// Rows for a person (aligned columns) or for a script (--json: an array of
// objects keyed by column name).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
void PrintTable(const Table& table, bool json);
// The table as CSV (RFC 4180: a header row, CRLF line ends, fields quoted
// when they hold a comma, quote or line break).
std::string CsvText(const Table& table);
// Writes CsvText to `path`; false with `error` set when it cannot.
bool WriteCsv(const Table& table, const std::string& path, std::string* error);

// One record: "key: value" lines, or a JSON object.
using Record = std::vector<std::pair<std::string, std::string>>;
void PrintRecord(const Record& record, bool json);
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
