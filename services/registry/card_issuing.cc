#include "services/registry/card_issuing.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/audit/pg_audit_store.h"
#include "services/registry/card_rules.h"
#include "services/registry/person_erasure.h"
#include "services/registry/pg_registry_store.h"
#include "services/registry/registry_requests.h"
#include "services/registry/registry_views.h"
#include "services/registry/vault.h"

namespace kvo::registry {

using audit::PgAuditStore;
using identity::Call;
using Store = PgRegistryStore;

CardIssuing::CardIssuing(const kvo::v1::Policy& policy, common::DbPool& pool,
                         identity::RpcGuard& guard, const KeyRing& keys,
                         CardChangeSink& card_changes,
                         const common::Clock& clock)
    : policy_(policy),
      pool_(pool),
      guard_(guard),
      keys_(keys),
      card_changes_(card_changes),
      clock_(clock) {}

absl::StatusOr<kvo::v1::Card> CardIssuing::Issue(
    const Call& call, const kvo::v1::IssueCardRequest& request) {
  if (auto s = ValidateIssueCardRequest(request); !s.ok()) return s;
  const bool individual = request.scope() == kvo::v1::CARD_SCOPE_INDIVIDUAL;
  const auto visible = VisibleFields(policy_, call.caller.role);
  std::vector<std::string> wanted = visible;
  wanted.push_back("date_of_birth");
  Vault vault(keys_);
  // The most frequent write of the registry: one transaction, and a refusal
  // of the area commits alone with its audit entry.
  struct Issued {
    absl::Status refusal;
    kvo::v1::Card card;
    std::vector<ChangedCard> changes;
  };
  auto issued = pool_.InTransaction(
      "issue card", [&](pqxx::work& tx) -> absl::StatusOr<Issued> {
        // One decision per person at a time: a second officer waits here
        // and then sees the first card (escalation, no double ban).
        auto found = Store::IncidentForCard(tx, request.incident_id());
        if (!found) {
          return absl::NotFoundError(absl::StrCat(
              "incident_id: incident ", request.incident_id(), " not found"));
        }
        const IncidentRow* incident = &found->first;
        const PersonRow* row = &found->second;
        if (auto s = guard_.CheckAreasIn(tx, call, {incident->area_id});
            !s.ok()) {
          return Issued{s, {}, {}};
        }
        if (call.caller.role == kvo::v1::ROLE_SHOPKEEPER &&
            (!individual || !Store::IsShopMember(tx, incident->shop_id,
                                                 call.caller.principal_id))) {
          return absl::PermissionDeniedError(
              "a shopkeeper issues individual bans for their own shop only "
              "(scope: individual, an incident of your shop)");
        }
        CardRequest r;
        const CardHistory history = Store::CardHistoryOf(
            tx, row->id, incident->area_id, incident->id,
            row->erased ? std::vector<std::string>{} : wanted);
        for (const CardRow& c : history.cards) {
          if (c.incident_id == incident->id) {
            return absl::AlreadyExistsError(absl::StrCat(
                "incident ", incident->id, " already has card ", c.id));
          }
          r.cards.push_back({KindFromRow(c.kind), c.shop_id, c.valid_from,
                             c.valid_until, c.revoked, c.id});
        }
        for (const auto& o : history.offences) {
          r.offences.push_back({o.occurred_at, o.card_revoked});
        }
        auto person = vault.OpenSealed(*row, history.sealed_fields);
        if (!person.ok()) return person.status();
        if (!absl::ParseCivilTime(person->fields["date_of_birth"],
                                  &r.date_of_birth)) {
          return absl::DataLossError(
              "the person's date of birth is unreadable");
        }
        r.scope = individual ? CardScope::kIndividual : CardScope::kCollective;
        r.shop_id = incident->shop_id;
        r.requested_days = request.requested_days();
        r.offence_at = incident->occurred_at;
        r.serious = std::any_of(
            policy_.offence_types().begin(), policy_.offence_types().end(),
            [&](const auto& t) {
              return t.code() == incident->offence_type && t.serious();
            });
        r.now = clock_.Now();
        auto decision = DecideCard(policy_, r);
        if (!decision.ok()) return decision.status();
        CardRow card;
        card.person_id = row->id;
        card.incident_id = incident->id;
        card.area_id = incident->area_id;
        card.shop_id = incident->shop_id;
        card.kind = CardKindName(decision->kind);
        card.valid_from = decision->valid_from;
        card.valid_until = decision->valid_until;
        card.days = decision->days;
        card.rule = decision->rule;
        card.escalated_from = decision->escalated_from;
        card.issued_by = call.caller.principal_id;
        for (const auto& [id, name] : history.shops) {
          if (!individual || id == incident->shop_id)
            card.shops.push_back(name);
        }
        card.id = Store::InsertCard(tx, card);
        PgAuditStore::Append(
            tx, guard_.Record(call, "registry.issue_card", AuditSubject(*row),
                              absl::StrCat("card ", card.id, ": ", card.rule)));
        Issued out{absl::OkStatus(), CardToProto(card),
                   ReportChanges(card_changes_, tx, {card})};
        *out.card.mutable_person() =
            PersonView(policy_, *person, visible, r.now);
        return out;
      });
  if (!issued.ok()) return issued.status();
  if (!issued->refusal.ok()) return issued->refusal;
  card_changes_.CardsCommitted(issued->changes);
  return std::move(issued->card);
}

}  // namespace kvo::registry
