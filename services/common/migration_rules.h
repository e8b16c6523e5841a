#ifndef KVO_SERVICES_COMMON_MIGRATION_RULES_H_
#define KVO_SERVICES_COMMON_MIGRATION_RULES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kvo::common {

// Rolling upgrades: the first new kvod applies a migration while the
// previous release's kvods still serve on the same database. A migration
// must therefore only expand the schema (new tables, nullable columns or
// columns with a default, indexes, relaxed constraints, backfills); what
// takes away or narrows (a drop, a rename, a type change, a new NOT NULL,
// UNIQUE, CHECK or foreign key, a revoked right) breaks the kvods still
// running, and belongs in a later release, once no kvod uses the old shape.
//
// The statements of `sql` that contract, each as written (comments, quoted
// strings and dollar-quoted bodies are not read as statements). A statement
// is let through when a comment line `-- contract: <why>` precedes it in
// the file: the author's word that no running kvod needs what it takes
// away. No I/O.
std::vector<std::string> ContractingStatements(absl::string_view sql);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_MIGRATION_RULES_H_
