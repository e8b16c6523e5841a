#include "services/common/dutch_labels.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kvo/v1/policy.pb.h"
#include "services/common/policy_loader.h"
#include "services/common/source_dir.h"
#include "services/identity/identity_rules.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The non-test C++ sources of kvod, without comments, adjacent string
// literals joined ("a " "b" -> "a b").
std::map<std::string, std::string> Sources() {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(
           fs::path(KVO_SOURCE_DIR) / "services")) {
    const std::string path = e.path().string();
    if (e.path().extension() != ".cc" || absl::EndsWith(path, "_test.cc")) {
      continue;
    }
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string s =
        std::regex_replace(text.str(), std::regex(R"(//[^\n]*)"), "");
    s = std::regex_replace(s, std::regex(R"("\s+")"), "");
    out[path] = s;
  }
  return out;
}

// The arguments of the call whose '(' is at `open`, split at top-level
// commas (strings and nested brackets kept whole).
std::vector<std::string> Arguments(const std::string& s, size_t open) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      cur += c;
      if (c == '\\') {
        cur += s[++i];
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth == 1) continue;
    } else if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) {
        out.push_back(cur);
        return out;
      }
    } else if (c == ',' && depth == 1) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  return out;
}

std::vector<std::string> Literals(const std::string& expr) {
  std::vector<std::string> out;
  static const std::regex kLiteral(R"re("((?:[^"\\]|\\.)*)")re");
  for (std::sregex_iterator it(expr.begin(), expr.end(), kLiteral), end;
       it != end; ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

bool IsPolicyPath(const std::string& dotted) {
  const std::vector<std::string> parts = absl::StrSplit(dotted, '.');
  const google::protobuf::Descriptor* d = kvo::v1::Policy::descriptor();
  for (const std::string& part : parts) {
    if (d == nullptr) return false;
    const auto* field = d->FindFieldByName(part);
    if (field == nullptr) return false;
    d = field->message_type();
  }
  return true;
}

// Every audit action the source writes: string literals of the form
// "<module>.<verb>" (and the refusal summary's), minus policy paths
// ("donations.amount_cents" in messages) and the reduction report's
// metrics (services/reports/*_contribution.cc, reduction_report.cc).
std::set<std::string> ActionsInSource() {
  static const std::regex kAction(
      R"re("((?:audit|cycle|denied|donations|gallery|identity|integrity|keys|privacy|registry|reports|retention|testing)\.[a-z_.]+)")re");
  // The objectives' metrics (cycle_rules.cc) a plan may name.
  static const std::set<std::string> kMetrics = {
      "donations.claimed", "donations.paid", "donations.shop_share"};
  std::set<std::string> out;
  for (const auto& [path, text] : Sources()) {
    if (absl::StrContains(path, "/services/reports/") &&
        !absl::EndsWith(path, "reduction_reports.cc")) {
      continue;  // metrics ("donations.paid"), not actions
    }
    for (std::sregex_iterator it(text.begin(), text.end(), kAction), end;
         it != end; ++it) {
      const std::string code = (*it)[1].str();
      if (!IsPolicyPath(code) && !kMetrics.contains(code)) out.insert(code);
    }
  }
  return out;
}

struct Written {
  std::string where;
  std::string action;   // empty: not a literal
  std::string purpose;  // the expression
  // The file composes a `purpose` variable (checked where it is composed).
  bool composes_purpose = false;
};

// The purposes written: the fourth argument of every RpcGuard::Record call
// and every `.purpose = ...;`.
std::vector<Written> PurposesInSource() {
  std::vector<Written> out;
  static const std::regex kRecord(R"(\bRecord\()");
  static const std::regex kAssign(R"(\.purpose\s*=\s*([^;]*);)");
  for (const auto& [path, text] : Sources()) {
    std::map<std::string, std::string> constants;
    static const std::regex kConstant(R"re((k\w+)\[\]\s*=\s*"([^"]*)")re");
    for (std::sregex_iterator it(text.begin(), text.end(), kConstant), end;
         it != end; ++it) {
      constants[(*it)[1].str()] = (*it)[2].str();
    }
    for (std::sregex_iterator it(text.begin(), text.end(), kRecord), end;
         it != end; ++it) {
      const auto args =
          Arguments(text, size_t(it->position() + it->length() - 1));
      if (args.size() < 4) continue;
      std::string purpose = std::string(absl::StripAsciiWhitespace(args[3]));
      if (auto c = constants.find(purpose); c != constants.end()) {
        purpose = absl::StrCat("\"", c->second, "\"");
      }
      const auto action = Literals(args[1]);
      out.push_back({path, action.empty() ? "" : action.front(), purpose});
    }
    for (std::sregex_iterator it(text.begin(), text.end(), kAssign), end;
         it != end; ++it) {
      out.push_back({path, "", (*it)[1].str()});
    }
    // A purpose composed into a variable first, then recorded by name.
    static const std::regex kDeclared(
        R"(std::string\s+purpose\s*=\s*([^;]*);)");
    for (std::sregex_iterator it(text.begin(), text.end(), kDeclared), end;
         it != end; ++it) {
      out.push_back({path, "", (*it)[1].str()});
    }
    const bool composes = std::regex_search(text, kDeclared);
    for (Written& w : out) {
      if (w.where == path) w.composes_purpose = composes;
    }
  }
  return out;
}

TEST(DutchLabelsTest, EveryActionTheSourceWritesHasADutchLabel) {
  const std::set<std::string> actions = ActionsInSource();
  // The scan finds what it should (a scan that finds nothing proves nothing).
  EXPECT_GT(actions.size(), 60u);
  for (const char* known :
       {"registry.create_person", "gallery.sync", "retention.run",
        "retention.dry_run", "privacy.export_access", "cycle.import_figures",
        "denied.unauthenticated.summary"}) {
    EXPECT_TRUE(actions.contains(known)) << known;
  }
  for (const std::string& action : actions) {
    EXPECT_TRUE(HasActionLabel(action))
        << action << " has no Dutch label in services/common/dutch_labels.cc";
  }
}

TEST(DutchLabelsTest, EveryPurposeTheSourceWritesHasADutchLabel) {
  const std::vector<Written> written = PurposesInSource();
  size_t literals = 0, composed = 0;
  for (const Written& w : written) {
    const std::string& p = w.purpose;
    const std::vector<std::string> lits = Literals(p);
    if (absl::StrContains(p, "StrCat(")) {
      // Composed: its first literal names the family.
      ++composed;
      ASSERT_FALSE(lits.empty()) << w.where << ": " << p;
      EXPECT_TRUE(HasPurposeFamily(lits.front()))
          << w.where << ": purpose family \"" << lits.front()
          << "\" has no Dutch reading in services/common/dutch_labels.cc";
      continue;
    }
    for (const std::string& lit : lits) {
      if (lit.empty()) continue;
      ++literals;
      EXPECT_TRUE(HasFixedPurposeLabel(lit))
          << w.where << ": purpose \"" << lit << "\" has no Dutch label";
    }
    // Not a literal: what a person typed (a reason, a stated purpose)
    // recorded under an action that shows it in quotes.
    if (lits.empty() && !w.action.empty() &&
        !(p == "purpose" && w.composes_purpose) &&
        (absl::StrContains(p, "reason") || absl::StrContains(p, "purpose"))) {
      EXPECT_TRUE(TakesTypedPurpose(w.action))
          << w.where << ": " << w.action << " records \"" << p
          << "\": list it among the typed-purpose actions";
    }
  }
  EXPECT_GT(literals, 20u);
  EXPECT_GT(composed, 8u);
}

TEST(DutchLabelsTest, EveryFigureCategoryOfEveryPolicyHasADutchLabel) {
  for (const auto& e :
       fs::directory_iterator(fs::path(KVO_SOURCE_DIR) / "policy")) {
    auto policy = LoadPolicyFile(e.path().string());
    ASSERT_TRUE(policy.ok()) << e.path() << ": " << policy.status();
    for (const std::string& c : policy->cycle().figure_categories()) {
      EXPECT_TRUE(HasFigureCategoryLabel(c)) << e.path() << ": " << c;
    }
  }
}

TEST(DutchLabelsTest, EveryRoleHasADutchLabel) {
  const auto* roles = kvo::v1::Role_descriptor();
  for (int i = 0; i < roles->value_count(); ++i) {
    const auto role = static_cast<kvo::v1::Role>(roles->value(i)->number());
    if (role == kvo::v1::ROLE_UNSPECIFIED) continue;
    const std::string name = identity::RoleName(role);
    EXPECT_THAT(RoleLabel(name), Not(HasSubstr("onbekend"))) << name;
  }
}

TEST(DutchLabelsTest, TheAccessExportsExamplesReadInDutch) {
  EXPECT_EQ(ActionLabel("registry.create_person"), "persoon geregistreerd");
  EXPECT_EQ(PurposeLabel("registry.create_person", "registration"),
            "registratie");
  EXPECT_EQ(RevokeReasonLabel("objection 2 upheld"),
            "bezwaar 2 gegrond verklaard");
  EXPECT_EQ(PurposeLabel("registry.issue_card",
                         "card 8: first offence: collective warning"),
            "kenmerk 8: eerste overtreding: collectieve waarschuwing");
  EXPECT_EQ(
      PurposeLabel("registry.issue_card",
                   "card 9: collective ban: offence during an active "
                   "collective warning (365 days)"),
      "kenmerk 9: collectief winkelverbod: nieuwe overtreding tijdens een "
      "collectieve waarschuwing (365 dagen)");
  EXPECT_EQ(CardRuleLabel("collective ban: serious offence (serious or "
                          "repeat: up to 730 days)"),
            "collectief winkelverbod: ernstige overtreding (ernstig of "
            "herhaald: ten hoogste 730 dagen)");
  EXPECT_EQ(PurposeLabel("registry.revoke_card", "card 8 revoked"),
            "kenmerk 8 ingetrokken");
  EXPECT_EQ(PurposeLabel("registry.file_objection", "objection 2 to card 8"),
            "bezwaar 2 tegen kenmerk 8");
  EXPECT_EQ(PurposeLabel("registry.decide_objection", "objection 2 upheld"),
            "bezwaar 2: gegrond");
  EXPECT_EQ(
      PurposeLabel("privacy.export_access", "access request 4 (GDPR art. 15)"),
      "uw verzoek om inzage 4 (artikel 15 AVG)");
  EXPECT_EQ(
      PurposeLabel("privacy.open_request", "data-subject request 3 (access)"),
      "uw verzoek om inzage 3");
  EXPECT_EQ(PurposeLabel("privacy.close_request",
                         "data-subject request 3 (erasure): granted"),
            "uw verzoek om wissing 3");
  EXPECT_EQ(CardKindLabel("collective_ban"), "Collectief winkelverbod");
  EXPECT_EQ(RoleLabel("police"), "politie");
  EXPECT_EQ(ObjectionDecisionLabel("rejected"), "ongegrond");
  EXPECT_EQ(FigureCategoryLabel("burglary"), "inbraak");
  EXPECT_EQ(FigureCategoryLabel("shoplifting"), "winkeldiefstal");
}

TEST(DutchLabelsTest, UnknownCodesAreMarkedNeverPassedOffAsDutch) {
  EXPECT_EQ(ActionLabel("registry.teleport"),
            "onbekende handeling (registry.teleport)");
  EXPECT_EQ(ActionLabel("kvo.v1.RegistryService/GetPerson"),
            "verzoek geweigerd");
  EXPECT_EQ(PurposeLabel("registry.read_person", "curiosity"),
            "onbekend doel (curiosity)");
  EXPECT_EQ(PurposeLabel("privacy.find_subject", "verzoek om inzage 3"),
            "toelichting: “verzoek om inzage 3”");
  EXPECT_EQ(PurposeLabel("registry.read_person", ""), "");
  EXPECT_EQ(RevokeReasonLabel("vergissing"), "“vergissing”");
  EXPECT_EQ(CardKindLabel("green_card"), "Onbekende soort kaart (green_card)");
  EXPECT_EQ(FigureCategoryLabel("arson"), "onbekende categorie (arson)");
  EXPECT_THAT(CardRuleLabel("whatever"), HasSubstr("onbekende regel"));
  EXPECT_EQ(RoleLabel("wizard"), "onbekende functie (wizard)");
}

}  // namespace
}  // namespace kvo::common
