#ifndef KVO_CLIENTS_CLI_LABELS_H_
#define KVO_CLIENTS_CLI_LABELS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "clients/cli/output.h"

namespace kvo::cli {

// The words people read for the codes kvo prints (a card's kind, a status,
// yes/no): one table for every command, so a value reads the same in each.
// --json prints the code; a person reads its label in --lang.
// `family` tells apart codes that mean different things in different
// places ("access": a request for inspection, or a schouw category); ""
// for codes that mean one thing everywhere.
struct Label {
  const char* family;
  const char* code;
  const char* nl;
  const char* en;
};

// Every label kvo knows, in the table's order.
const std::vector<Label>& AllLabels();

// The label of `code` of `family` (else of the code in no family) in
// `lang`; the code itself when there is none (a new value from a newer kvod
// still reads as something).
std::string LabelText(absl::string_view code, Lang lang,
                      absl::string_view family = "");

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_LABELS_H_
