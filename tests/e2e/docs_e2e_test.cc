// Every command in the guides runs as written. The test reads README.md and
// docs/*.md, takes the commands of the shell blocks marked ```sh test (and
// ```sh test-fails, whose commands must fail), and runs them in order with
// /bin/sh and the real kvo against a real kvod of its own per guide. The
// conventions (marks, placeholders, what the test prepares) are described in
// docs/architecture.md, "The guides are tested".

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/common/source_dir.h"
#include "tests/support/kvod_fixture.h"
#include "tests/support/test_images.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;

// One command of a guide: where it starts, its text (continuation lines
// joined) and whether it must fail.
struct DocCommand {
  int line = 0;
  std::string text;
  bool must_fail = false;
};

struct ExtractedGuide {
  std::vector<DocCommand> tested;
  // Lines starting with "kvo " in shell blocks that are not marked.
  int untested_kvo_commands = 0;
};

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

ExtractedGuide Extract(const std::string& markdown) {
  ExtractedGuide guide;
  std::istringstream in(markdown);
  std::string line;
  int number = 0;
  enum class Block { kNone, kTested, kFails, kUnmarkedShell, kOther };
  Block block = Block::kNone;
  DocCommand pending;
  bool continuing = false;
  while (std::getline(in, line)) {
    ++number;
    const std::string trimmed = Trim(line);
    if (StartsWith(trimmed, "```")) {
      if (block != Block::kNone) {
        block = Block::kNone;
        continuing = false;
        continue;
      }
      const std::string info = Trim(trimmed.substr(3));
      block = info == "sh test"         ? Block::kTested
              : info == "sh test-fails" ? Block::kFails
              : info == "sh"            ? Block::kUnmarkedShell
                                        : Block::kOther;
      continue;
    }
    if (block == Block::kUnmarkedShell && StartsWith(trimmed, "kvo ")) {
      ++guide.untested_kvo_commands;
    }
    if (block != Block::kTested && block != Block::kFails) continue;
    if (!continuing) {
      if (trimmed.empty() || trimmed[0] == '#') continue;
      pending = DocCommand{number, "", block == Block::kFails};
    }
    std::string text = line;
    continuing = !text.empty() && text.back() == '\\';
    if (continuing) text.pop_back();
    pending.text += text;
    if (!continuing) guide.tested.push_back(pending);
  }
  return guide;
}

// Replaces each <name> by what kvo printed last as "name: value"; an
// unknown name is an error (empty result, `missing` set).
std::string Substitute(const std::string& command,
                       const std::map<std::string, std::string>& captured,
                       std::string* missing) {
  static const std::regex kPlaceholder("<([a-z][a-z0-9_]*)>");
  std::string out;
  auto begin =
      std::sregex_iterator(command.begin(), command.end(), kPlaceholder);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    auto found = captured.find(name);
    if (found == captured.end()) {
      *missing = name;
      return "";
    }
    out += command.substr(last, it->position() - last) + found->second;
    last = it->position() + it->length();
  }
  return out + command.substr(last);
}

// Remembers what kvo printed: each "key: value" line of a record (the last
// one wins) and, from a table (a header of UPPERCASE column names), the
// cells of its first row under their column names in lowercase.
void Capture(const std::string& output,
             std::map<std::string, std::string>* captured) {
  static const std::regex kField("^\\s*([a-z][a-z0-9_]*):\\s+(\\S.*?)\\s*$");
  static const std::regex kHeader("^[A-Z][A-Z0-9_]*( {2,}[A-Z][A-Z0-9_]*)*$");
  std::istringstream in(output);
  std::vector<std::pair<std::string, size_t>> header;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!header.empty()) {
      for (size_t c = 0; c < header.size(); ++c) {
        const size_t from = header[c].second;
        const size_t to =
            c + 1 < header.size() ? header[c + 1].second : std::string::npos;
        if (from < line.size()) {
          const std::string cell = Trim(line.substr(from, to - from));
          if (!cell.empty()) (*captured)[header[c].first] = cell;
        }
      }
      header.clear();
    } else if (std::regex_match(line, kHeader)) {
      std::regex word("[A-Z][A-Z0-9_]*");
      for (auto it = std::sregex_iterator(line.begin(), line.end(), word);
           it != std::sregex_iterator(); ++it) {
        std::string name = it->str();
        for (char& ch : name) ch = static_cast<char>(std::tolower(ch));
        header.push_back({name, static_cast<size_t>(it->position())});
      }
    } else if (std::regex_match(line, m, kField)) {
      (*captured)[m[1]] = m[2];
    }
  }
}

class DocsE2E : public ::testing::TestWithParam<const char*> {};

TEST_P(DocsE2E, EveryMarkedCommandRunsAsWritten) {
  const fs::path source = KVO_SOURCE_DIR;
  const std::string guide_name = GetParam();
  std::ifstream file(source / guide_name);
  ASSERT_TRUE(file) << "no " << guide_name;
  std::stringstream text;
  text << file.rdbuf();
  const ExtractedGuide guide = Extract(text.str());

  // Most of what a reader types is in tested blocks.
  const int tested_kvo = static_cast<int>(std::count_if(
      guide.tested.begin(), guide.tested.end(),
      [](const DocCommand& c) { return StartsWith(c.text, "kvo "); }));
  ASSERT_GT(tested_kvo, 0) << guide_name << " has no tested kvo command";
  EXPECT_GE(tested_kvo, 2 * guide.untested_kvo_commands)
      << guide_name << ": " << tested_kvo << " kvo commands tested, "
      << guide.untested_kvo_commands << " in unmarked blocks";

  TempDir tmp;
  const fs::path home = tmp.path() / "home";
  const fs::path work = tmp.path() / "work";
  fs::create_directories(home);
  fs::create_directories(work);
  // Commands are written as from the repository's root: scripts/, policy/,
  // data/ and build/ are there (build/ is this test's build tree).
  for (const char* dir :
       {"scripts", "policy", "data", "migrations", "deploy"}) {
    fs::create_directory_symlink(source / dir, work / dir);
  }
  fs::create_directory_symlink(
      fs::path(KvodPath()).parent_path().parent_path().parent_path(),
      work / "build");
  // Files the guides use as if the reader had them.
  const std::string photo = PhotoWithMetadata();
  for (const char* name : {"suspect.jpg", "steeg.jpg"}) {
    std::ofstream(work / name, std::ios::binary) << photo;
  }
  std::unique_ptr<KvodProcess> kvod = KvodProcess::Start(
      tmp.path() / "data", {"--policy=" + TestPolicy(tmp.path()).string()});
  ASSERT_NE(kvod, nullptr);

  // Exported in the shell rather than passed as the environment, so they
  // win over the test's own HOME and PATH.
  const std::string prelude = absl::StrCat(
      "cd '", work.string(), "' || exit 97\n", "export HOME='", home.string(),
      "' KVO_CONFIG='", (home / "kvo-config").string(), "' KVO_SERVER='",
      kvod->address(), "' KVO_CA='", kvod->ca_path(), "' PATH='",
      fs::path(KvoPath()).parent_path().string(), "':\"$PATH\"\n");
  std::map<std::string, std::string> captured = {
      {"bootstrap_code", kvod->bootstrap_code()},
      {"data_dir", (tmp.path() / "data").string()}};
  // Each guide starts where the README's quick start leaves off: `root`
  // (admin) bootstrapped and logged in. A guide that bootstraps does it
  // itself.
  const bool bootstraps = std::any_of(
      guide.tested.begin(), guide.tested.end(),
      [](const DocCommand& c) { return StartsWith(c.text, "kvo bootstrap "); });
  std::vector<DocCommand> commands;
  if (!bootstraps) {
    commands.push_back({0,
                        "kvo bootstrap <bootstrap_code> --login root --name "
                        "Operator --password-stdin"});
    commands.push_back({0, "kvo login --login root --password-stdin"});
  }
  commands.insert(commands.end(), guide.tested.begin(), guide.tested.end());

  const std::string password = std::string(kPassword) + "\n";
  int ran = 0;
  for (const DocCommand& command : commands) {
    std::string missing;
    const std::string text_run = Substitute(command.text, captured, &missing);
    ASSERT_TRUE(missing.empty())
        << guide_name << ":" << command.line << ": <" << missing
        << "> was printed by no earlier command: " << command.text;
    const CommandResult r =
        RunCommand({"/bin/sh", "-c", prelude + text_run},
                   std::chrono::seconds(120), {}, password + password);
    ++ran;
    if (command.must_fail) {
      ASSERT_NE(r.exit_code, 0)
          << guide_name << ":" << command.line
          << ": should fail but succeeded: " << command.text << "\n"
          << Describe(r);
    } else {
      ASSERT_EQ(r.exit_code, 0) << guide_name << ":" << command.line
                                << ": failed: " << command.text << "\n"
                                << Describe(r);
    }
    Capture(r.out, &captured);
  }
  std::cerr << guide_name << ": " << ran << " commands ran\n";
  EXPECT_EQ(kvod->Stop(), 0);
}

// GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to
// hyphens.
std::string Anchor(const std::string& heading) {
  std::string out;
  for (char c : heading) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c == ' ') {
      out += '-';
    }
  }
  return out;
}

// Every link from one guide to another names a guide that exists and, after
// '#', one of its headings.
TEST(DocsLinks, EveryLinkBetweenGuidesLandsOnAHeading) {
  const fs::path source = KVO_SOURCE_DIR;
  static const std::regex kLink("\\]\\(([a-z/.-]+\\.md)(#([a-z0-9_-]+))?\\)");
  for (const char* name :
       {"README.md", "docs/shopkeeper.md", "docs/police.md",
        "docs/coordinator.md", "docs/privacy-officer.md", "docs/operator.md",
        "docs/architecture.md", "docs/hosting.md", "docs/capacity.md"}) {
    std::ifstream in(source / name);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), kLink);
         it != std::sregex_iterator(); ++it) {
      const fs::path target =
          (source / name).parent_path() / std::string((*it)[1]);
      std::ifstream linked(target);
      ASSERT_TRUE(linked) << name << " links to missing " << (*it)[1];
      if (!(*it)[3].matched) continue;
      std::set<std::string> anchors;
      for (std::string line; std::getline(linked, line);) {
        if (StartsWith(line, "#")) {
          anchors.insert(Anchor(Trim(line.substr(line.find(' ') + 1))));
        }
      }
      EXPECT_TRUE(anchors.count((*it)[3]))
          << name << " links to " << (*it)[1] << "#" << (*it)[3]
          << ", which has no such heading";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Guides, DocsE2E,
    ::testing::Values("README.md", "docs/shopkeeper.md", "docs/police.md",
                      "docs/coordinator.md", "docs/privacy-officer.md",
                      "docs/operator.md", "docs/architecture.md",
                      "docs/hosting.md"),
    [](const ::testing::TestParamInfo<const char*>& info) {
      std::string name = fs::path(info.param).stem().string();
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace kvo::testing
