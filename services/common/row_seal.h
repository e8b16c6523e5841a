#ifndef KVO_SERVICES_COMMON_ROW_SEAL_H_
#define KVO_SERVICES_COMMON_ROW_SEAL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/common/envelope.h"

namespace kvo::common {

// The seals on the rows that grant access (DESIGN.md, "Nothing that grants
// access is taken from the database on trust"): keyed BLAKE2b-256 with a
// key kept outside the database (`<data-dir>/identity/seal.key`; replicas of
// one registry share it like the audit keys). Whoever holds only the
// database can neither mint a session or a one-time code nor change who a
// row lets in: a row they wrote or changed fails its check.
//
// This is the one place for the canonical bytes of each sealed row: a
// domain tag per table, then the row's id and its fields, each as a 4-byte
// big-endian length and its bytes (integers in decimal, days as
// YYYY-MM-DD, absent values empty). Thread-safe (immutable).
class RowSeal final {
 public:
  explicit RowSeal(SecretKey key) : key_(std::move(key)) {}

  // What is stored in place of a bearer secret: a session token
  // ("session") or a one-time code ("code"). 32 raw bytes.
  std::string SecretHash(absl::string_view purpose,
                         absl::string_view secret) const;

  // A session: the stored token hash, whose it is and until when.
  std::string Session(absl::string_view token_hash, int64_t principal_id,
                      int64_t expires_ms) const;
  // A principal: what lets them in (login, password hash, status) and what
  // they may do (role, areas; `area_ids` in any order).
  std::string Principal(int64_t id, absl::string_view login,
                        absl::string_view role, absl::string_view status,
                        absl::string_view password_hash,
                        absl::Span<const int64_t> area_ids) const;
  // A shopkeeper's membership of a shop.
  std::string ShopMember(int64_t shop_id, int64_t principal_id) const;
  // An area's licence to share criminal data.
  std::string Licence(int64_t id, int64_t area_id, absl::string_view kind,
                      absl::string_view number, absl::string_view holder,
                      absl::string_view valid_from,
                      absl::string_view valid_until) const;
  // A shop's participation and its signed declaration ("" when none).
  std::string Participant(int64_t shop_id, absl::string_view agreement_on,
                          absl::string_view declaration_on) const;

  // Constant-time: `stored` (raw bytes, empty when the row has none) is
  // `expected`.
  static bool Matches(absl::string_view expected, absl::string_view stored);

 private:
  std::string Mac(absl::string_view tag,
                  std::initializer_list<absl::string_view> fields) const;
  SecretKey key_;
};

// The seal every store of this process uses. Installed once at start-up
// (kvod's main, a test's main) before any thread reads or writes a sealed
// row; ProcessRowSeal() without one throws std::logic_error (the caller's
// transaction rolls back).
void InstallProcessRowSeal(std::shared_ptr<const RowSeal> seal);
const RowSeal& ProcessRowSeal();

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_ROW_SEAL_H_
