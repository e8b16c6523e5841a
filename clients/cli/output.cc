#include "clients/cli/output.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"

namespace kvo::cli {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  common::AppendJsonEscaped(out, s);
  return out + "\"";
}

void PrintJsonObject(const std::vector<std::string>& keys,
                     const std::vector<std::string>& values) {
  std::cout << "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) std::cout << ",";
    std::cout << JsonString(keys[i]) << ":"
              << JsonString(i < values.size() ? values[i] : "");
  }
  std::cout << "}";
}

}  // namespace

void PrintTable(const Table& table, bool json) {
  if (json) {
    std::cout << "[";
    for (size_t r = 0; r < table.rows.size(); ++r) {
      if (r > 0) std::cout << ",";
      PrintJsonObject(table.columns, table.rows[r]);
    }
    std::cout << "]" << std::endl;
    return;
  }
  std::vector<size_t> width(table.columns.size());
  for (size_t c = 0; c < table.columns.size(); ++c) {
    width[c] = table.columns[c].size();
    for (const auto& row : table.rows) {
      if (c < row.size()) width[c] = std::max(width[c], row[c].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      std::cout << cell;
      if (c + 1 < table.columns.size()) {
        std::cout << std::string(width[c] - cell.size() + 2, ' ');
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
  for (const auto& row : table.rows) print_row(row);
  if (table.rows.empty()) std::cout << "(none)\n";
  std::cout.flush();
}

void PrintRecord(const Record& record, bool json) {
  if (json) {
    std::vector<std::string> keys, values;
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
    std::cout << k << ":" << std::string(width - k.size() + 1, ' ') << v
              << "\n";
  }
  std::cout.flush();
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
    std::vector<std::string> row;
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

}  // namespace

std::string CsvText(const Table& table) {
  std::string out;
  AppendCsvRow(table.columns, table.columns.size(), &out);
  for (const auto& row : table.rows) {
    AppendCsvRow(row, table.columns.size(), &out);
  }
  return out;
}

bool WriteCsv(const Table& table, const std::string& path, std::string* error) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << CsvText(table);
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
