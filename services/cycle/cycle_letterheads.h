#ifndef KVO_SERVICES_CYCLE_CYCLE_LETTERHEADS_H_
#define KVO_SERVICES_CYCLE_CYCLE_LETTERHEADS_H_

#include "services/notice/letterhead.h"

namespace kvo::cycle {

// The letterhead of an area as the KVO cycle records it (the area's
// contacts, `kvo area contact`) with its name and municipality, for the
// letters the registry and the donations module write (the interface the
// notice module owns). Stateless; thread-safe.
class CycleLetterheads final : public notice::Letterheads {
 public:
  notice::Letterhead ForArea(pqxx::transaction_base& tx,
                             int64_t area_id) const override;
};

}  // namespace kvo::cycle

#endif  // KVO_SERVICES_CYCLE_CYCLE_LETTERHEADS_H_
