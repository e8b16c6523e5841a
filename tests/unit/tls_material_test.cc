#include "services/common/tls_material.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

template <auto kFree>
struct OpenSslFree {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpenSslFree<X509_STORE_CTX_free>>;

X509Ptr ParseCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

EvpPkeyPtr ParseKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return EvpPkeyPtr(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const fs::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

mode_t PermissionBits(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return static_cast<mode_t>(-1);
  return st.st_mode & 07777;
}

// Verifies `leaf` against `ca` as the sole trust anchor, in strict RFC 5280
// mode. Returns "" on success, otherwise OpenSSL's reason.
std::string Verify(X509* leaf, X509* ca, int purpose,
                   const char* host = nullptr, const char* ip = nullptr) {
  X509StorePtr store(X509_STORE_new());
  if (X509_STORE_add_cert(store.get(), ca) != 1) return "add_cert failed";
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1) {
    return "init failed";
  }
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (host != nullptr) X509_VERIFY_PARAM_set1_host(param, host, 0);
  if (ip != nullptr) X509_VERIFY_PARAM_set1_ip_asc(param, ip);
  if (X509_verify_cert(ctx.get()) == 1) return "";
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

std::string CommonName(X509* cert) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
                            sizeof buf);
  return buf;
}

struct SubjectAltNames {
  std::vector<std::string> dns;
  std::vector<std::string> ip;
};

SubjectAltNames GetSubjectAltNames(X509* cert) {
  SubjectAltNames result;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return result;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      result.dns.emplace_back(reinterpret_cast<const char*>(dns->data),
                              dns->length);
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      int family = ip->length == 4 ? AF_INET : AF_INET6;
      inet_ntop(family, ip->data, text, sizeof text);
      result.ip.emplace_back(text);
    }
  }
  return result;
}

long ValidityDays(X509* cert) {
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert),
                 X509_get0_notAfter(cert));
  return days;
}

class TlsMaterialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "kvo_tls_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "tls";
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  fs::path root_;
  fs::path dir_;
};

TEST_F(TlsMaterialTest, FirstCallGeneratesSecondCallLoadsSameBytes) {
  absl::StatusOr<TlsMaterial> first = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->ca_cert_path, dir_ / "ca.crt");
  for (const char* name : {"ca.crt", "ca.key", "server.crt", "server.key"}) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / name)) << name;
  }
  EXPECT_EQ(PermissionBits(dir_ / "ca.key"), 0600);
  EXPECT_EQ(PermissionBits(dir_ / "server.key"), 0600);
  EXPECT_EQ(ReadAll(dir_ / "ca.crt"), first->ca_cert_pem);
  EXPECT_EQ(ReadAll(dir_ / "server.crt"), first->server_cert_pem);
  EXPECT_EQ(ReadAll(dir_ / "server.key"), first->server_key_pem);

  absl::StatusOr<TlsMaterial> second = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->generated);
  EXPECT_EQ(second->ca_cert_pem, first->ca_cert_pem);
  EXPECT_EQ(second->server_cert_pem, first->server_cert_pem);
  EXPECT_EQ(second->server_key_pem, first->server_key_pem);
  EXPECT_EQ(second->ca_cert_path, first->ca_cert_path);
}

TEST_F(TlsMaterialTest, CreatesMissingDirectoryPrivatelyAndLeavesNoTempFiles) {
  const fs::path nested = root_ / "data" / "tls";
  absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(nested);
  ASSERT_TRUE(material.ok()) << material.status();
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_EQ(PermissionBits(nested), 0700);

  std::vector<std::string> entries;
  for (const fs::directory_entry& entry : fs::directory_iterator(nested)) {
    entries.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(entries, UnorderedElementsAre("ca.crt", "ca.key", "server.crt",
                                            "server.key"));
}

TEST_F(TlsMaterialTest, ServerCertificateVerifiesAgainstCa) {
  absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(material.ok()) << material.status();
  X509Ptr ca = ParseCert(material->ca_cert_pem);
  X509Ptr server = ParseCert(material->server_cert_pem);
  ASSERT_TRUE(ca && server);

  EXPECT_EQ(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER), "");
  EXPECT_EQ(
      Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER, "localhost"), "");
  EXPECT_EQ(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER, nullptr,
                   "127.0.0.1"),
            "");
  EXPECT_EQ(
      Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER, nullptr, "::1"),
      "");
  // The checks above must be able to fail.
  EXPECT_NE(
      Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER, "example.com"),
      "");
  EXPECT_NE(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_CLIENT), "");

  EvpPkeyPtr key = ParseKey(material->server_key_pem);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(server.get(), key.get()), 1);
}

TEST_F(TlsMaterialTest, ServerCertificateDoesNotVerifyAgainstAnotherCa) {
  absl::StatusOr<TlsMaterial> mine = EnsureTlsMaterial(dir_);
  absl::StatusOr<TlsMaterial> other = EnsureTlsMaterial(root_ / "other");
  ASSERT_TRUE(mine.ok() && other.ok());
  X509Ptr other_ca = ParseCert(other->ca_cert_pem);
  X509Ptr server = ParseCert(mine->server_cert_pem);
  ASSERT_TRUE(other_ca && server);
  EXPECT_NE(Verify(server.get(), other_ca.get(), X509_PURPOSE_SSL_SERVER), "");
}

TEST_F(TlsMaterialTest, ServerCertificateNamesLoopback) {
  absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(material.ok()) << material.status();
  X509Ptr server = ParseCert(material->server_cert_pem);
  ASSERT_TRUE(server);

  SubjectAltNames san = GetSubjectAltNames(server.get());
  EXPECT_THAT(san.dns, Contains("localhost"));
  EXPECT_THAT(san.ip, Contains("127.0.0.1"));
  EXPECT_THAT(san.ip, Contains("::1"));
  EXPECT_EQ(CommonName(server.get()), "localhost");
}

TEST_F(TlsMaterialTest, GeneratedCertificateCarriesRequestedNames) {
  absl::StatusOr<TlsMaterial> material =
      EnsureTlsMaterial(dir_, {"kvo.example.org", "10.1.2.3", "[2001:db8::1]",
                               "KVO-Host", "localhost", " 192.168.0.7 "});
  ASSERT_TRUE(material.ok()) << material.status();
  X509Ptr server = ParseCert(material->server_cert_pem);
  X509Ptr ca = ParseCert(material->ca_cert_pem);
  ASSERT_TRUE(server && ca);
  SubjectAltNames san = GetSubjectAltNames(server.get());
  EXPECT_THAT(san.dns,
              UnorderedElementsAre("localhost", "kvo.example.org", "kvo-host"));
  EXPECT_THAT(san.ip, UnorderedElementsAre("127.0.0.1", "::1", "10.1.2.3",
                                           "2001:db8::1", "192.168.0.7"));
  EXPECT_EQ(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER,
                   "kvo.example.org"),
            "");
  EXPECT_EQ(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER, nullptr,
                   "2001:db8::1"),
            "");
  EXPECT_NE(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER,
                   "other.example.org"),
            "");
}

TEST_F(TlsMaterialTest, NewNamesReissueTheServerCertificateFromTheSameCa) {
  absl::StatusOr<TlsMaterial> first = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string ca_cert = ReadAll(dir_ / "ca.crt");
  const std::string ca_key = ReadAll(dir_ / "ca.key");
  const std::string server_key = ReadAll(dir_ / "server.key");

  absl::StatusOr<TlsMaterial> wider =
      EnsureTlsMaterial(dir_, {"kvo.example.org", "10.1.2.3"});
  ASSERT_TRUE(wider.ok()) << wider.status();
  EXPECT_TRUE(wider->reissued);
  EXPECT_FALSE(wider->generated);
  EXPECT_NE(wider->server_cert_pem, first->server_cert_pem);
  EXPECT_EQ(ReadAll(dir_ / "server.crt"), wider->server_cert_pem);
  // The CA (what clients trust) and the server key stay.
  EXPECT_EQ(ReadAll(dir_ / "ca.crt"), ca_cert);
  EXPECT_EQ(ReadAll(dir_ / "ca.key"), ca_key);
  EXPECT_EQ(ReadAll(dir_ / "server.key"), server_key);
  EXPECT_EQ(wider->ca_cert_pem, first->ca_cert_pem);
  X509Ptr server = ParseCert(wider->server_cert_pem);
  X509Ptr ca = ParseCert(ca_cert);
  ASSERT_TRUE(server && ca);
  SubjectAltNames san = GetSubjectAltNames(server.get());
  EXPECT_THAT(san.dns, UnorderedElementsAre("localhost", "kvo.example.org"));
  EXPECT_THAT(san.ip, UnorderedElementsAre("127.0.0.1", "::1", "10.1.2.3"));
  EXPECT_EQ(Verify(server.get(), ca.get(), X509_PURPOSE_SSL_SERVER,
                   "kvo.example.org"),
            "");
  EvpPkeyPtr key = ParseKey(server_key);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(server.get(), key.get()), 1);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    EXPECT_NE(entry.path().filename().string().front(), '.')
        << entry.path() << " left behind";
  }

  // Covered already (in any spelling): loaded as it is.
  for (const std::vector<std::string>& names :
       std::vector<std::vector<std::string>>{
           {}, {"KVO.example.org"}, {"10.1.2.3", "localhost", "[::1]"}}) {
    absl::StatusOr<TlsMaterial> again = EnsureTlsMaterial(dir_, names);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_FALSE(again->reissued);
    EXPECT_EQ(again->server_cert_pem, wider->server_cert_pem);
  }
}

TEST_F(TlsMaterialTest, NamesThatAreNeitherHostNorAddressAreRefused) {
  for (const char* bad : {"bad name", "kvo_host", "-kvo.org", "a,b", "a..b", "",
                          "10.1.2.3:50051", "host/path"}) {
    absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(dir_, {bad});
    ASSERT_FALSE(material.ok()) << bad;
    EXPECT_EQ(material.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(material.status().message(), HasSubstr("--tls-san"));
    EXPECT_FALSE(fs::exists(dir_ / "ca.key")) << "nothing generated";
  }
  absl::StatusOr<std::vector<std::string>> sans =
      ServerSubjectAltNames({"kvo.example.org", "::ffff:10.0.0.1", "Kvo"});
  ASSERT_TRUE(sans.ok()) << sans.status();
  EXPECT_THAT(*sans, ::testing::ElementsAre("DNS:localhost", "IP:127.0.0.1",
                                            "IP:::1", "DNS:kvo.example.org",
                                            "IP:::ffff:10.0.0.1", "DNS:kvo"));
}

TEST_F(TlsMaterialTest, CertificatesFollowTheProfile) {
  absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(material.ok()) << material.status();
  X509Ptr ca = ParseCert(material->ca_cert_pem);
  X509Ptr server = ParseCert(material->server_cert_pem);
  ASSERT_TRUE(ca && server);

  EXPECT_EQ(CommonName(ca.get()), "KVO Registry local CA");
  EXPECT_EQ(X509_get_version(ca.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_version(server.get()), X509_VERSION_3);
  EXPECT_GE(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  EXPECT_NE(X509_get0_authority_key_id(server.get()), nullptr);
  EXPECT_EQ(X509_get_key_usage(ca.get()), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
  EXPECT_EQ(X509_get_key_usage(server.get()),
            KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
  EXPECT_EQ(X509_get_extended_key_usage(server.get()), XKU_SSL_SERVER);
  EXPECT_EQ(X509_get_signature_nid(server.get()), NID_ecdsa_with_SHA256);

  char group[64] = {};
  size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(X509_get0_pubkey(server.get()), group,
                                    sizeof group, &group_len),
            1);
  EXPECT_STREQ(group, "prime256v1");

  // Backdating adds a few minutes, never a day.
  EXPECT_EQ(ValidityDays(ca.get()), 3652);
  EXPECT_EQ(ValidityDays(server.get()), 825);

  BignumPtr ca_serial(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(ca.get()), nullptr));
  BignumPtr server_serial(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(server.get()), nullptr));
  EXPECT_LE(BN_num_bits(ca_serial.get()), 128);
  EXPECT_FALSE(BN_is_negative(ca_serial.get()));
  EXPECT_NE(BN_cmp(ca_serial.get(), server_serial.get()), 0);
}

TEST_F(TlsMaterialTest, PartialSetIsFailedPreconditionNamingMissingFile) {
  absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(material.ok()) << material.status();
  const std::string ca_before = ReadAll(dir_ / "ca.crt");
  ASSERT_TRUE(fs::remove(dir_ / "server.key"));

  absl::StatusOr<TlsMaterial> again = EnsureTlsMaterial(dir_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("server.key"));
  EXPECT_FALSE(fs::exists(dir_ / "server.key"));
  EXPECT_EQ(ReadAll(dir_ / "ca.crt"), ca_before);
}

TEST_F(TlsMaterialTest, ServerFilesFromAnotherCaAreRejected) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  const fs::path other = root_ / "other";
  ASSERT_TRUE(EnsureTlsMaterial(other).ok());
  fs::copy_file(other / "server.crt", dir_ / "server.crt",
                fs::copy_options::overwrite_existing);
  fs::copy_file(other / "server.key", dir_ / "server.key",
                fs::copy_options::overwrite_existing);

  absl::StatusOr<TlsMaterial> loaded = EnsureTlsMaterial(dir_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(), HasSubstr("server.crt"));
}

TEST_F(TlsMaterialTest, CorruptCertificateIsRejected) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  WriteAll(dir_ / "ca.crt", "not a certificate\n");

  absl::StatusOr<TlsMaterial> loaded = EnsureTlsMaterial(dir_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(), HasSubstr("ca.crt"));
}

TEST_F(TlsMaterialTest, LoadTlsMaterialAcceptsMatchingPair) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  const fs::path cert = dir_ / "server.crt";
  const fs::path key = dir_ / "server.key";

  absl::StatusOr<TlsMaterial> loaded = LoadTlsMaterial(cert, key);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->generated);
  EXPECT_EQ(loaded->ca_cert_pem, ReadAll(cert));
  EXPECT_EQ(loaded->server_cert_pem, ReadAll(cert));
  EXPECT_EQ(loaded->server_key_pem, ReadAll(key));
  EXPECT_EQ(loaded->ca_cert_path, cert);
}

TEST_F(TlsMaterialTest, LoadTlsMaterialRejectsMismatchedKey) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  const fs::path wrong_key = dir_ / "ca.key";

  absl::StatusOr<TlsMaterial> loaded =
      LoadTlsMaterial(dir_ / "server.crt", wrong_key);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(), HasSubstr(wrong_key.string()));
}

TEST_F(TlsMaterialTest, LoadTlsMaterialNamesMissingFile) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  const fs::path missing = dir_ / "nope.key";

  absl::StatusOr<TlsMaterial> loaded =
      LoadTlsMaterial(dir_ / "server.crt", missing);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(), HasSubstr(missing.string()));
}

TEST_F(TlsMaterialTest, LoadTlsMaterialRejectsEncryptedKeyWithoutPrompting) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  EvpPkeyPtr key = ParseKey(ReadAll(dir_ / "server.key"));
  ASSERT_TRUE(key);
  BioPtr bio(BIO_new(BIO_s_mem()));
  static const char kPassphrase[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(
                bio.get(), key.get(), EVP_aes_256_cbc(), kPassphrase,
                sizeof kPassphrase - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  const fs::path encrypted = dir_ / "encrypted.key";
  WriteAll(encrypted, std::string(data, static_cast<size_t>(size)));

  absl::StatusOr<TlsMaterial> loaded =
      LoadTlsMaterial(dir_ / "server.crt", encrypted);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(), HasSubstr(encrypted.string()));
}

TEST_F(TlsMaterialTest, ClientCertificateVerifiesAgainstCaAndCarriesName) {
  absl::StatusOr<TlsMaterial> material = EnsureTlsMaterial(dir_);
  ASSERT_TRUE(material.ok()) << material.status();

  absl::StatusOr<std::pair<std::string, std::string>> issued =
      IssueClientCertificate(dir_, "svc-importer");
  ASSERT_TRUE(issued.ok()) << issued.status();
  X509Ptr ca = ParseCert(material->ca_cert_pem);
  X509Ptr client = ParseCert(issued->first);
  EvpPkeyPtr key = ParseKey(issued->second);
  ASSERT_TRUE(ca && client && key);

  EXPECT_EQ(Verify(client.get(), ca.get(), X509_PURPOSE_SSL_CLIENT), "");
  EXPECT_NE(Verify(client.get(), ca.get(), X509_PURPOSE_SSL_SERVER), "");
  EXPECT_EQ(CommonName(client.get()), "svc-importer");
  EXPECT_EQ(X509_get_extended_key_usage(client.get()), XKU_SSL_CLIENT);
  EXPECT_EQ(X509_check_ca(client.get()), 0);
  EXPECT_EQ(X509_check_private_key(client.get(), key.get()), 1);
  EXPECT_EQ(ValidityDays(client.get()), 365);

  absl::StatusOr<std::pair<std::string, std::string>> again =
      IssueClientCertificate(dir_, "svc-importer");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->second, issued->second);
}

TEST_F(TlsMaterialTest, ClientCertificateNeedsCa) {
  absl::StatusOr<std::pair<std::string, std::string>> issued =
      IssueClientCertificate(dir_, "svc-importer");
  EXPECT_EQ(issued.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(issued.status().message(), HasSubstr("ca.crt"));
}

TEST_F(TlsMaterialTest, ClientCertificateRejectsBadCommonName) {
  ASSERT_TRUE(EnsureTlsMaterial(dir_).ok());
  for (const std::string& name :
       {std::string(), std::string("a\nb"), std::string("a\0b", 3),
        std::string(65, 'x')}) {
    EXPECT_EQ(IssueClientCertificate(dir_, name).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(IssueClientCertificate(dir_, std::string(64, 'x')).ok());
}

}  // namespace
}  // namespace kvo::common
