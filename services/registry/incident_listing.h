#ifndef KVO_SERVICES_REGISTRY_INCIDENT_LISTING_H_
#define KVO_SERVICES_REGISTRY_INCIDENT_LISTING_H_

#include "absl/status/statusor.h"
#include "kvo/v1/policy.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/common/db_pool.h"
#include "services/identity/rpc_guard.h"
#include "services/registry/key_ring.h"
#include "services/registry/pg_registry_store.h"

namespace kvo::registry {

// A ListIncidentsRequest judged without I/O: the area, the filters, the
// period as [from, until) of Europe/Amsterdam days, the page size (1 to
// kMaxIncidentPage; 0: kDefaultIncidentPage) and the page token's position.
// INVALID_ARGUMENT naming the field and its kvo flag.
inline constexpr int kDefaultIncidentPage = 50;
inline constexpr int kMaxIncidentPage = 500;
absl::StatusOr<IncidentFilter> ParseListIncidentsRequest(
    const kvo::v1::ListIncidentsRequest& request);

// Listing an area's incidents (kvo incident list). Police and the area's
// coordinator see every incident of the area; shopkeepers and security,
// who share the incident summary as the area's participants (DESIGN.md,
// field visibility), see those of the shops they are members of only. The
// summary and the police report number are opened with the person's key
// through the Vault; one audit entry names the persons whose texts the page
// disclosed (none, no entry). A person whose sealed texts do not open is
// left without them and raises the integrity alarm; an erased person's
// incidents keep their anonymous facts. Newest first, paged. Errors:
// INVALID_ARGUMENT, NOT_FOUND (shop), PERMISSION_DENIED (area, another
// shop). Thread-safe.
class IncidentListing final {
 public:
  IncidentListing(common::DbPool& pool, identity::RpcGuard& guard,
                  const KeyRing& keys);

  absl::StatusOr<kvo::v1::ListIncidentsResponse> List(
      const identity::Call& call, const kvo::v1::ListIncidentsRequest& request);

 private:
  common::DbPool& pool_;
  identity::RpcGuard& guard_;
  const KeyRing& keys_;
};

}  // namespace kvo::registry

#endif  // KVO_SERVICES_REGISTRY_INCIDENT_LISTING_H_
