#include "tests/sim/principals.h"

#include "absl/strings/str_cat.h"

namespace kvo::sim {

// A principal created, enrolled and logged in by the admin.
bool MakePrincipal(World& world, const std::string& login, kvo::v1::Role role,
                   const std::vector<int64_t>& area_ids, Principal* out,
                   std::string* error) {
  kvo::v1::CreatePrincipalRequest req;
  req.set_login(login);
  req.set_display_name(absl::StrCat("Sim ", login));
  req.set_role(role);
  for (int64_t a : area_ids) req.add_area_ids(a);
  kvo::v1::CreatePrincipalResponse created;
  grpc::Status s = world.identity().CreatePrincipal(
      world.Ctx(world.admin).get(), req, &created);
  if (!s.ok()) {
    *error = absl::StrCat("CreatePrincipal ", login, ": ", s.error_message());
    return false;
  }
  kvo::v1::EnrollRequest enroll;
  enroll.set_code(created.enrollment_code());
  enroll.set_password(kSimPassword);
  kvo::v1::EnrollResponse enrolled;
  s = world.identity().Enroll(world.Ctx("").get(), enroll, &enrolled);
  if (!s.ok()) {
    *error = absl::StrCat("Enroll ", login, ": ", s.error_message());
    return false;
  }
  out->id = created.principal().id();
  out->login = login;
  out->role = role;
  out->token = world.Login(login);
  if (out->token.empty()) {
    *error = absl::StrCat("Login ", login, " failed");
    return false;
  }
  return true;
}

}  // namespace kvo::sim
