#include "services/audit/audit_entry.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kvo::audit {
namespace {

void AppendField(std::string& out, absl::string_view value) {
  const uint32_t n = static_cast<uint32_t>(value.size());
  out += static_cast<char>(n >> 24);
  out += static_cast<char>(n >> 16);
  out += static_cast<char>(n >> 8);
  out += static_cast<char>(n);
  out.append(value.data(), value.size());
}

void AppendFields(std::string& out, const SequencedEntry& e) {
  AppendField(out, absl::StrCat(e.at_micros));
  AppendField(out, absl::StrCat(e.principal_id));
  AppendField(out, e.role);
  AppendField(out, e.action);
  AppendField(out, e.subject);
  AppendField(out, e.purpose);
  AppendField(out, e.outcome);
  AppendField(out, e.request_id);
}

bool HasContext(const SequencedEntry& e) {
  return e.area_id != 0 || !e.peer.empty();
}

void AppendContext(std::string& out, const SequencedEntry& e) {
  if (!HasContext(e)) return;
  AppendField(out, absl::StrCat(e.area_id));
  AppendField(out, e.peer);
}

}  // namespace

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kDenied:
      return "denied";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

std::string CanonicalBytes(const SequencedEntry& e) {
  std::string out = HasContext(e) ? "kvo-audit-entry-v2" : "kvo-audit-entry-v1";
  AppendField(out, absl::StrCat(e.index));
  AppendFields(out, e);
  AppendContext(out, e);
  return out;
}

std::string WrittenBytes(const SequencedEntry& e) {
  if (!e.writer.empty()) {
    std::string out = "kvo-audit-written-v3";
    AppendFields(out, e);
    AppendField(out, absl::StrCat(e.area_id));
    AppendField(out, e.peer);
    AppendField(out, e.writer);
    AppendField(out, absl::StrCat(e.write_no));
    return out;
  }
  std::string out =
      HasContext(e) ? "kvo-audit-written-v2" : "kvo-audit-written-v1";
  AppendFields(out, e);
  AppendContext(out, e);
  return out;
}

std::vector<std::string> SplitSubjects(absl::string_view subject) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= subject.size(); ++i) {
    if (i < subject.size() && subject[i] != ',' &&
        !absl::ascii_isspace(static_cast<unsigned char>(subject[i]))) {
      continue;
    }
    const size_t n = i - start;
    if (n > 0 && n <= kMaxSubjectBytes) {
      out.emplace_back(subject.substr(start, n));
    }
    start = i + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace kvo::audit
