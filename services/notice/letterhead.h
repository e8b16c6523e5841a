#ifndef KVO_SERVICES_NOTICE_LETTERHEAD_H_
#define KVO_SERVICES_NOTICE_LETTERHEAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace kvo::notice {

// Who an area's letters come from and how a person answers them: the
// place they are dated in, the coordinator who signs, the postal address
// and e-mail where objections and questions go, and the account a nuisance
// donation is paid to. The coordinator records it through kvo
// (`kvo area contact`); a field not recorded is empty.
struct Letterhead {
  int64_t area_id = 0;
  std::string area_name;
  std::string place;           // the area's municipality
  std::string coordinator;     // who signs; empty: the area's coordinator
  std::string postal_address;  // objections and post
  std::string email;
  std::string phone;  // may stay empty
  std::string payee;  // the account holder
  std::string iban;   // checked (ISO 13616), without spaces
};

// The command that records the letterhead, for messages that ask for it.
inline constexpr char kLetterheadCommand[] = "kvo area contact";

// The signer: the coordinator's name, else "KVO-coördinator <area>".
std::string Signer(const Letterhead& l);
// The lines of the sender's block: signer, postal address, e-mail, phone;
// `language` "nl" (the default) or "en".
std::vector<std::string> SenderLines(const Letterhead& l,
                                     absl::string_view language = "nl");

// OK when the area has a postal address and an e-mail for objections, else
// FAILED_PRECONDITION naming what to record and the kvo command. Pure.
absl::Status CheckObjectionAddress(const Letterhead& l);
// OK when the area has a payee and an IBAN for nuisance donations (and a
// sender to answer), else FAILED_PRECONDITION naming what to record and
// the kvo command. Pure.
absl::Status CheckPaymentDetails(const Letterhead& l);

// Where the letterhead of an area comes from. The notice module owns
// this interface; the KVO cycle module (which records the area's
// contacts) implements it and kvod wires it, so the registry and the
// donations module write letters without reading the cycle's tables.
// Runs in the caller's transaction; thread-safe.
class Letterheads {
 public:
  virtual ~Letterheads() = default;
  virtual Letterhead ForArea(pqxx::transaction_base& tx,
                             int64_t area_id) const = 0;
};

}  // namespace kvo::notice

#endif  // KVO_SERVICES_NOTICE_LETTERHEAD_H_
