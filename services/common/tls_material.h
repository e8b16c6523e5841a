#ifndef KVO_SERVICES_COMMON_TLS_MATERIAL_H_
#define KVO_SERVICES_COMMON_TLS_MATERIAL_H_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace kvo::common {

// The PEM material kvod needs to serve TLS, and what clients need to trust it.
// Either generated once into a data directory (a private CA plus a localhost
// server certificate, so a fresh install speaks TLS with no setup) or
// supplied by the operator.
struct TlsMaterial {
  // The certificate clients must trust: the private CA, or for
  // operator-supplied material the certificate file itself.
  std::string ca_cert_pem;
  // Server certificate chain, leaf first (generated: just the leaf).
  std::string server_cert_pem;
  std::string server_key_pem;
  // Where ca_cert_pem lives on disk, to tell users what to pass to clients.
  std::filesystem::path ca_cert_path;
  // True if this call created the files.
  bool generated = false;
  // True if this call issued a new server certificate from the existing CA
  // because the old one did not cover every requested name.
  bool reissued = false;
};

// Loads <dir>/ca.crt, ca.key, server.crt and server.key, or creates all four
// when none exists (and <dir> itself with mode 0700 when missing).
//
// Generated material: EC P-256 keys, a CA "KVO Registry local CA" valid for
// 10 years, and a server certificate valid for 825 days signed by it whose
// subjectAltName holds localhost, 127.0.0.1, ::1 and `subject_alt_names`
// (host names as DNS:, IPv4 and IPv6 addresses, "[::1]" too, as IP:). Files
// are written atomically and never replace an existing file, except
// server.crt (below); keys are created with mode 0600.
//
// On load, checks that each key matches its certificate and that the server
// certificate was signed by the CA. Expiry is not checked. When the server
// certificate does not cover one of `subject_alt_names`, a new one for all
// of them is issued from the same CA for the same server key and replaces
// server.crt atomically (`reissued`); the CA, and so what clients trust,
// stays.
//
// Errors:
//   InvalidArgument     an entry of `subject_alt_names` is neither a host
//                       name nor an IP address (the message names it).
//   FailedPrecondition  some but not all four files exist (the message names
//                       the missing ones), a file is unreadable or malformed,
//                       or the files do not belong together.
//   PermissionDenied    the directory or a file is not accessible.
//   Aborted             another process created the files concurrently;
//                       calling again loads them.
//   Internal            OpenSSL failed while generating.
// Thread-safe; concurrent calls on one directory may return Aborted.
absl::StatusOr<TlsMaterial> EnsureTlsMaterial(
    const std::filesystem::path& dir,
    const std::vector<std::string>& subject_alt_names = {});

// The subjectAltName entries EnsureTlsMaterial gives a generated server
// certificate for `names`, in OpenSSL's syntax ("DNS:localhost",
// "IP:127.0.0.1", ...), loopback first, without duplicates. Errors:
// InvalidArgument naming an entry that is neither a host name nor an IP
// address.
absl::StatusOr<std::vector<std::string>> ServerSubjectAltNames(
    const std::vector<std::string>& names);

// Loads operator-supplied PEM files (--tls-cert / --tls-key). `cert` may hold
// a chain, leaf first; it is returned unchanged as both server_cert_pem and
// ca_cert_pem. The key must be unencrypted and match the leaf certificate.
//
// Errors: FailedPrecondition or PermissionDenied naming the offending file.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& cert,
                                            const std::filesystem::path& key);

// Issues a client certificate for `common_name` (1 to 64 bytes of UTF-8),
// signed by the CA in <dir> as created by EnsureTlsMaterial, for mTLS of
// system principals. Valid for one year, extendedKeyUsage clientAuth, fresh
// EC P-256 key. Returns {cert_pem, key_pem}; nothing is written to disk.
//
// Errors: InvalidArgument for a bad common name; FailedPrecondition or
// PermissionDenied if the CA files are missing, unreadable or mismatched;
// Internal if OpenSSL fails.
absl::StatusOr<std::pair<std::string, std::string>> IssueClientCertificate(
    const std::filesystem::path& dir, const std::string& common_name);

// Puts the server certificate chain and key of `tls` into an OpenSSL
// server context (for the door page's HTTPS, which shares gRPC's
// certificate) and refuses anything older than TLS 1.2. Errors:
// FailedPrecondition when the material does not parse or belongs not
// together.
absl::Status UseServerMaterial(ssl_ctx_st& ctx, const TlsMaterial& tls);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_TLS_MATERIAL_H_
