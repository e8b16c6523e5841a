// Writes the serialized seeds of request_fuzz and proof_fuzz (valid
// requests of every type, valid proofs from a signed tree) into the corpus
// folder given as argv[1]. Run by hand when a message changes:
//   build-fuzz/tests/fuzz/fuzz_seeds tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "kvo/v1/audit.pb.h"
#include "kvo/v1/gallery.pb.h"
#include "kvo/v1/identity.pb.h"
#include "kvo/v1/keys.pb.h"
#include "kvo/v1/registry.pb.h"
#include "services/audit/merkle.h"
#include "services/audit/tree_head.h"
#include "services/common/crypto.h"

namespace {

namespace fs = std::filesystem;
using kvo::audit::Hash;

fs::path root;

void Write(const std::string& target, const std::string& name, char first,
           const google::protobuf::Message& m) {
  fs::create_directories(root / target);
  std::ofstream out(root / target / name, std::ios::binary | std::ios::trunc);
  out << first << m.SerializeAsString();
}

std::string Bytes(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

void Requests() {
  using namespace kvo::v1;
  const std::string t = "request_fuzz";
  {
    CreateShopRequest r;
    r.set_area_id(1);
    r.set_name("Bakkerij Het Gouden Korenaartje");
    Write(t, "create_shop", 0, r);
  }
  {
    ListShopsRequest r;
    r.set_area_id(2);
    Write(t, "list_shops", 1, r);
  }
  {
    AddShopMemberRequest r;
    r.set_shop_id(3);
    r.set_principal_id(4);
    Write(t, "add_shop_member", 2, r);
  }
  {
    FindPersonRequest r;
    r.set_given_names("Jan-Willem");
    r.set_surname_prefix("van der");
    r.set_surname("Berg");
    r.set_date_of_birth("1990-04-01");
    Write(t, "find_person", 3, r);
  }
  {
    CreatePersonRequest r;
    r.set_area_id(1);
    r.set_given_names("Zoë Ĳsbrand");
    r.set_surname_prefix("'t");
    r.set_surname("Hooft");
    r.set_address("Brink 1");
    r.set_residence("Deventer");
    r.set_date_of_birth("2009-02-28");
    r.set_place_of_birth("Zwolle");
    r.set_description("Lang, donker haar;\nrode jas");
    Write(t, "create_person", 4, r);
  }
  {
    GetPersonRequest r;
    r.set_person_id(5);
    Write(t, "get_person", 5, r);
  }
  {
    ErasePersonRequest r;
    r.set_person_id(5);
    r.set_reason("verzoek betrokkene");
    Write(t, "erase_person", 6, r);
  }
  {
    RecordIncidentRequest r;
    r.set_shop_id(3);
    r.set_person_id(5);
    r.mutable_occurred_at()->set_seconds(1795000000);
    r.set_offence_type("theft");
    r.set_description("Twee flessen wijn onder de jas");
    r.set_damage_cents(2599);
    r.set_police_report_number("2026112-0042");
    Write(t, "record_incident", 7, r);
    // A device clock with sub-second precision.
    r.mutable_occurred_at()->set_nanos(250'000'000);
    r.clear_police_report_number();
    Write(t, "record_incident_nanos", 7, r);
  }
  {
    IssueCardRequest r;
    r.set_incident_id(6);
    r.set_scope(CARD_SCOPE_COLLECTIVE);
    r.set_requested_days(365);
    Write(t, "issue_card", 8, r);
  }
  {
    RevokeCardRequest r;
    r.set_card_id(7);
    r.set_reason("bezwaar gegrond");
    Write(t, "revoke_card", 9, r);
  }
  {
    ListCardsRequest r;
    r.set_area_id(1);
    r.set_include_inactive(true);
    r.set_person_id(5);
    Write(t, "list_cards", 10, r);
  }
  {
    GetNoticeRequest r;
    r.set_card_id(7);
    r.set_language("en");
    Write(t, "get_notice", 11, r);
  }
  {
    FileObjectionRequest r;
    r.set_card_id(7);
    r.set_grounds("Ik was die dag niet in Deventer.\nZie bijlage.");
    Write(t, "file_objection", 12, r);
  }
  {
    DecideObjectionRequest r;
    r.set_objection_id(8);
    r.set_upheld(true);
    r.set_reasons("Camerabeelden tonen iemand anders.");
    Write(t, "decide_objection", 13, r);
  }
  {
    ListObjectionsRequest r;
    r.set_area_id(1);
    r.set_open_only(true);
    Write(t, "list_objections", 14, r);
  }
  {
    RotateKeysRequest r;
    r.set_reason("jaarlijkse rotatie");
    r.set_root(true);
    Write(t, "rotate_keys", 15, r);
  }
  {
    BootstrapRequest r;
    r.set_code("7KQ2M-ABCDE-FGHJK-MNPQR");
    r.set_login("beheer");
    r.set_display_name("Beheerder Centrum");
    r.set_password("correct horse battery staple");
    Write(t, "bootstrap", 16, r);
  }
  {
    EnrollRequest r;
    r.set_code("7kq2m abcde fghjk mnpqr");
    r.set_password("een lang wachtwoord");
    Write(t, "enroll", 17, r);
  }
  {
    LoginRequest r;
    r.set_login("winkel.1");
    r.set_password("een lang wachtwoord");
    Write(t, "login", 18, r);
  }
  {
    CreatePrincipalRequest r;
    r.set_login("politie-7");
    r.set_display_name("Wijkagent Binnenstad");
    r.set_role(ROLE_POLICE);
    r.add_area_ids(1);
    r.add_area_ids(2);
    r.add_area_ids(1);
    Write(t, "create_principal", 19, r);
  }
  {
    SetPrincipalStatusRequest r;
    r.set_principal_id(9);
    r.set_reason("deelnemer gestopt");
    Write(t, "set_principal_status", 20, r);
  }
  {
    ResetPasswordRequest r;
    r.set_principal_id(9);
    r.set_reason("wachtwoord vergeten");
    Write(t, "reset_password", 21, r);
  }
  {
    ListPrincipalsRequest r;
    r.set_area_id(1);
    Write(t, "list_principals", 22, r);
  }
  {
    CreateAreaRequest r;
    r.set_name("Binnenstad");
    r.set_kind(AREA_KIND_SHOPPING_AREA);
    r.set_municipality("Deventer");
    Write(t, "create_area", 23, r);
  }
  {
    GetTreeHeadRequest r;
    r.set_tree_size(10);
    Write(t, "get_tree_head", 24, r);
  }
  {
    InclusionProofRequest r;
    r.set_index(3);
    r.set_tree_size(10);
    Write(t, "inclusion_proof", 25, r);
  }
  {
    ConsistencyProofRequest r;
    r.set_first_size(3);
    r.set_second_size(10);
    Write(t, "consistency_proof", 26, r);
  }
  {
    SyncGalleryRequest r;
    r.set_since_version(41);
    Write(t, "sync_gallery", 27, r);
  }
  {
    GetPhotoRequest r;
    r.set_entry_id(7);
    Write(t, "get_photo", 28, r);
  }
  {
    UploadPhotoRequest r;
    r.set_person_id(5);
    Write(t, "upload_photo_start", 29, r);
    r.set_chunk(std::string("\xff\xd8\xff\xe0", 4));
    Write(t, "upload_photo_chunk", 29, r);
  }
}

kvo::v1::SignedTreeHead Head(const std::vector<Hash>& leaves, uint64_t size,
                             const kvo::audit::TreeHeadSigner& signer) {
  kvo::audit::TreeHead th;
  th.tree_size = size;
  th.root = kvo::audit::RootOf({leaves.begin(), leaves.begin() + size});
  th.timestamp_ms = 1795000000000 + size;
  kvo::v1::SignedTreeHead head;
  head.set_tree_size(size);
  head.set_root_hash(Bytes(th.root));
  head.set_timestamp_ms(th.timestamp_ms);
  head.set_signature(signer.Sign(th));
  head.set_public_key(signer.public_key());
  return head;
}

void Proofs() {
  const std::string t = "proof_fuzz";
  // The key proof_fuzz signs with again (bit 0x80).
  const auto signer =
      kvo::audit::TreeHeadSigner::FromSeed(std::string(32, 'f'));
  std::vector<std::string> entries;
  std::vector<Hash> leaves;
  for (int i = 0; i < 7; ++i) {
    entries.push_back("entry " + std::to_string(i));
    leaves.push_back(kvo::audit::LeafHash(entries.back()));
  }
  for (uint64_t index : {0, 3, 6}) {
    kvo::v1::InclusionProof p;
    p.set_index(index);
    p.set_entry(entries[index]);
    p.set_leaf_hash(Bytes(leaves[index]));
    for (const Hash& h : kvo::audit::InclusionProof(leaves, index, 7)) {
      p.add_path(Bytes(h));
    }
    *p.mutable_tree_head() = Head(leaves, 7, signer);
    Write(t, "inclusion_7_" + std::to_string(index), 0, p);
    p.set_content_erased(true);
    p.clear_entry();
    Write(t, "inclusion_erased_7_" + std::to_string(index), 0, p);
  }
  for (uint64_t first : {1, 3, 4}) {
    kvo::v1::ConsistencyProof p;
    *p.mutable_first() = Head(leaves, first, signer);
    *p.mutable_second() = Head(leaves, 7, signer);
    for (const Hash& h : kvo::audit::ConsistencyProof(leaves, first, 7)) {
      p.add_path(Bytes(h));
    }
    Write(t, "consistency_" + std::to_string(first) + "_7", 1, p);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !kvo::common::InitCrypto()) {
    std::fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
    return 2;
  }
  root = argv[1];
  Requests();
  Proofs();
  return 0;
}
