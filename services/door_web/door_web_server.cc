// With held_connections.cc the translation units that include cpp-httplib:
// its OpenSSL support (CPPHTTPLIB_OPENSSL_SUPPORT) comes with the library's
// pkg-config flags, given to this library only.
#include "services/door_web/door_web_server.h"

#include <httplib.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/common/crypto.h"
#include "services/common/listen_address.h"
#include "services/common/log.h"
#include "services/door_web/door_web_assets.h"
#include "services/door_web/door_web_pages.h"
#include "services/door_web/door_web_requests.h"
#include "services/door_web/door_web_rules.h"
#include "services/door_web/held_connections.h"

namespace kvo::door_web {
namespace {

using httplib::Request;
using httplib::Response;

// The access table's names for what the page does: the same rules as the
// gRPC calls that do the same.
constexpr char kLoginMethod[] = "kvo.v1.IdentityService/Login";
constexpr char kLogoutMethod[] = "kvo.v1.IdentityService/Logout";
constexpr char kSyncMethod[] = "kvo.v1.GalleryService/SyncGallery";
constexpr char kPhotoMethod[] = "kvo.v1.GalleryService/GetPhoto";
constexpr char kIncidentMethod[] = "kvo.v1.RegistryService/RecordIncident";
// What a full photo is looked at for (the audit entry's purpose).
constexpr char kPhotoPurpose[] = "deurcontrole";
constexpr int kLoginNonceSeconds = 15 * 60;
constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kFormType[] = "application/x-www-form-urlencoded";
constexpr int kMaxRequestsPerConnection = 100;

// Set by a poll that found nothing new and was counted, for the logger that
// runs after it on the same worker thread.
thread_local bool t_counted_no_change = false;

bool IsApi(const Request& req) { return req.path.rfind("/api/", 0) == 0; }

Lang LangOf(const Request& req) {
  return LangFrom(req.get_param_value("lang"));
}

std::string Home(Lang lang) {
  return lang == Lang::kEnglish ? "/?lang=en" : "/";
}

std::string LoginPath(Lang lang) {
  return lang == Lang::kEnglish ? "/login?lang=en" : "/login";
}

int HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SetSecurityHeaders(Response& res) {
  for (const auto& [name, value] : SecurityHeaders()) {
    if (!res.has_header(name.c_str())) res.set_header(name.c_str(), value);
  }
}

void Page(Response& res, int status, std::string html) {
  res.status = status;
  res.set_content(std::move(html), kHtml);
}

void Json(Response& res, int status, std::string json) {
  res.status = status;
  res.set_content(std::move(json), kJson);
}

void Redirect(Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
}

}  // namespace

class DoorWebServer::Impl {
 public:
  Impl(const kvo::v1::Policy& policy, identity::RpcGuard& guard,
       identity::Sessions& sessions, gallery::DoorGallery& door,
       registry::IncidentRecording& incidents, const common::TlsMaterial& tls,
       DoorWebOptions options)
      : policy_(policy),
        guard_(guard),
        sessions_(sessions),
        door_(door),
        incidents_(incidents),
        tls_(tls),
        options_(std::move(options)),
        csrf_(options_.csrf_key.empty() ? common::RandomBytes(32)
                                        : options_.csrf_key,
              options_.csrf_also_accepted),
        server_(
            [this](SSL_CTX& ctx) {
              auto s = common::UseServerMaterial(ctx, tls_);
              if (!s.ok()) tls_error_ = s;
              return s.ok();
            },
            ServerLimits(options_)) {
    Configure();
  }

  HeldConnectionServer& server() { return server_; }
  const absl::Status& tls_error() const { return tls_error_; }

 private:
  // Who calls, from the session cookie; the token is empty without one.
  identity::CallOrigin Origin(const Request& req) const {
    identity::CallOrigin origin;
    origin.token = CookieValue(req.get_header_value("Cookie"), kSessionCookie)
                       .value_or("");
    origin.peer = Peer(req);
    return origin;
  }

  // The client's address as the guard and the rate limits know it from
  // gRPC ("ipv4:127.0.0.1"), so one address has one login limit: the TCP
  // peer's, or behind a trusted proxy the address it forwards.
  std::string Peer(const Request& req) const {
    std::vector<std::string> forwarded;
    if (!options_.trusted_proxies.empty()) {
      const size_t n = req.get_header_value_count("X-Forwarded-For");
      for (size_t i = 0; i < n; ++i) {
        forwarded.push_back(req.get_header_value("X-Forwarded-For", i));
      }
    }
    return PeerName(
        options_.trusted_proxies.ClientAddress(req.remote_addr, forwarded));
  }

  static HeldConnectionServer::Limits ServerLimits(
      const DoorWebOptions& options) {
    HeldConnectionServer::Limits limits;
    limits.workers = options.threads;
    limits.keep_alive_seconds = options.keep_alive_seconds;
    limits.max_requests = kMaxRequestsPerConnection;
    limits.timeout_seconds = options.timeout_seconds;
    limits.max_connections = options.max_connections;
    return limits;
  }

  // A POST's CSRF token (header for the page's script, field for forms)
  // must be bound to `bound_to`.
  bool CsrfOk(const Request& req, const Form* form,
              const std::string& bound_to) const {
    std::string given = req.get_header_value("X-CSRF-Token");
    if (given.empty() && form != nullptr) {
      auto it = form->find("csrf");
      if (it != form->end()) given = it->second;
    }
    return csrf_.Matches(bound_to, given);
  }

  // A refusal: a short page, or for the script a JSON error.
  void Refuse(const Request& req, Response& res, int status, Lang lang) const {
    if (IsApi(req)) {
      Json(res, status, JsonError(ErrorText(lang, status)));
    } else {
      Page(res, status, ErrorPage(lang, status));
    }
  }

  // The form of a POST, or a refusal already answered.
  std::optional<Form> ReadForm(const Request& req, Response& res,
                               Lang lang) const {
    const std::string type = req.get_header_value("Content-Type");
    if (!req.body.empty() && type.rfind(kFormType, 0) != 0) {
      Refuse(req, res, 400, lang);
      return std::nullopt;
    }
    auto form = ParseForm(req.body);
    if (!form.ok()) {
      Refuse(req, res, 400, lang);
      return std::nullopt;
    }
    return std::move(*form);
  }

  // The guard's call for a signed-in request, or a refusal already answered
  // (a session that ended goes to the login page).
  std::optional<identity::Call> Begin(const Request& req, Response& res,
                                      const identity::CallOrigin& origin,
                                      absl::string_view method, Lang lang) {
    if (origin.token.empty()) {
      Unauthenticated(req, res, lang);
      return std::nullopt;
    }
    auto call = guard_.Begin(origin, method);
    if (call.ok()) return std::move(*call);
    if (call.status().code() == absl::StatusCode::kUnauthenticated) {
      Unauthenticated(req, res, lang);
    } else {
      Refuse(req, res, HttpStatus(call.status()), lang);
    }
    return std::nullopt;
  }

  void Unauthenticated(const Request& req, Response& res, Lang lang) const {
    res.set_header("Set-Cookie", ClearCookie(kSessionCookie));
    if (IsApi(req)) {
      Json(res, 401, JsonError(ErrorText(lang, 401)));
    } else {
      Redirect(res, LoginPath(lang));
    }
  }

  void Configure() {
    httplib::Headers defaults;
    for (const auto& [name, value] : SecurityHeaders()) {
      defaults.emplace(name, value);
    }
    server_.set_default_headers(defaults);
    server_.set_payload_max_length(options_.max_body_bytes);
    server_.set_read_timeout(options_.timeout_seconds, 0);
    server_.set_write_timeout(options_.timeout_seconds, 0);
    // What the responses' Keep-Alive header says; HeldConnectionServer
    // keeps to it.
    server_.set_keep_alive_timeout(options_.keep_alive_seconds);
    server_.set_keep_alive_max_count(kMaxRequestsPerConnection);
    server_.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const Request& req, Response& res) {
          if (res.body.empty()) Refuse(req, res, res.status, LangOf(req));
          SetSecurityHeaders(res);
          return httplib::Server::HandlerResponse::Handled;
        }));
    server_.set_exception_handler(
        [this](const Request& req, Response& res, std::exception_ptr) {
          // Nothing of the exception reaches the client.
          common::LogError("door page request failed", {{"path", req.path}});
          Refuse(req, res, 500, LangOf(req));
          SetSecurityHeaders(res);
        });
    server_.set_pre_routing_handler([](const Request&, Response&) {
      t_counted_no_change = false;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_post_routing_handler(
        [](const Request&, Response& res) { SetSecurityHeaders(res); });
    server_.set_logger([](const Request& req, const Response& res) {
      if (t_counted_no_change) {
        t_counted_no_change = false;
        return;
      }
      // No query, no body: nothing personal is logged.
      common::Log("info", "http",
                  {{"method", req.method},
                   {"path", req.path},
                   {"status", std::to_string(res.status)}});
    });

    server_.Get("/", [this](const Request& q, Response& r) { GetHome(q, r); });
    server_.Get("/login",
                [this](const Request& q, Response& r) { GetLogin(q, r, ""); });
    server_.Post("/login",
                 [this](const Request& q, Response& r) { PostLogin(q, r); });
    server_.Post("/logout",
                 [this](const Request& q, Response& r) { PostLogout(q, r); });
    server_.Get("/api/gallery",
                [this](const Request& q, Response& r) { GetGallery(q, r); });
    server_.Post("/api/photo",
                 [this](const Request& q, Response& r) { PostPhoto(q, r); });
    server_.Post("/api/incident",
                 [this](const Request& q, Response& r) { PostIncident(q, r); });
    server_.Get("/assets/(.+)", [](const Request& q, Response& r) {
      const Asset* asset = FindAsset(q.path);
      if (asset == nullptr) {
        r.status = 404;
        return;
      }
      r.set_content(std::string(asset->body), std::string(asset->content_type));
    });
  }

  void GetHome(const Request& req, Response& res) {
    const Lang lang = LangOf(req);
    const auto origin = Origin(req);
    auto call = Begin(req, res, origin, kSyncMethod, lang);
    if (!call) return;
    std::vector<ShopChoice> shops;
    if (auto rows = incidents_.ShopsOfCaller(*call); rows.ok()) {
      for (const auto& row : *rows) shops.push_back({row.id, row.name});
    }
    Page(res, 200,
         GalleryPage(lang, csrf_.TokenFor(origin.token), options_.poll_seconds,
                     call->caller.login, shops, policy_));
  }

  void GetLogin(const Request& req, Response& res, absl::string_view message,
                int status = 200) {
    const Lang lang = LangFrom(
        req.has_param("lang") ? req.get_param_value("lang") : FormLang(req));
    std::string nonce =
        CookieValue(req.get_header_value("Cookie"), kLoginCookie).value_or("");
    if (nonce.size() != 32) {
      nonce = common::HexEncode(common::RandomBytes(16));
      if (auto cookie = SetCookie(kLoginCookie, nonce, kLoginNonceSeconds);
          cookie.ok()) {
        res.set_header("Set-Cookie", *cookie);
      }
    }
    Page(res, status,
         LoginPage(lang, csrf_.TokenFor(absl::StrCat("login:", nonce)),
                   message));
  }

  static std::string FormLang(const Request& req) {
    auto form = ParseForm(req.body);
    if (!form.ok()) return "";
    auto it = form->find("lang");
    return it == form->end() ? "" : it->second;
  }

  void PostLogin(const Request& req, Response& res) {
    Lang lang = LangOf(req);
    auto form = ReadForm(req, res, lang);
    if (!form) return;
    if (auto it = form->find("lang"); it != form->end()) {
      lang = LangFrom(it->second);
    }
    const std::string nonce =
        CookieValue(req.get_header_value("Cookie"), kLoginCookie).value_or("");
    if (!CsrfOk(req, &*form, absl::StrCat("login:", nonce)) || nonce.empty()) {
      Refuse(req, res, 403, lang);
      return;
    }
    const bool en = lang == Lang::kEnglish;
    auto request = ParseLoginForm(*form);
    if (!request.ok()) {
      GetLogin(req, res, FieldErrorText(lang, request.status().message()), 400);
      return;
    }
    identity::CallOrigin origin;
    origin.peer = Peer(req);
    auto call = guard_.Begin(origin, kLoginMethod);
    if (!call.ok()) {
      Refuse(req, res, HttpStatus(call.status()), lang);
      return;
    }
    auto session = sessions_.Login(*call, *request);
    if (!session.ok()) {
      const int status = HttpStatus(session.status());
      std::string message =
          status == 401
              ? (en ? "Wrong user name or password. Try again; after too many "
                      "attempts the account is locked for a while."
                    : "Onjuiste gebruikersnaam of wachtwoord. Probeer het "
                      "opnieuw; na te veel pogingen wordt het account een "
                      "tijd geblokkeerd.")
          : status == 403
              ? (en ? "This account is suspended: ask your coordinator."
                    : "Dit account is geschorst: vraag het uw coördinator.")
              : ErrorText(lang, status);
      GetLogin(req, res, message, status);
      return;
    }
    const int64_t max_age = std::max<int64_t>(
        0, (session->expires_ms - absl::ToUnixMillis(absl::Now())) / 1000);
    auto cookie = SetCookie(kSessionCookie, session->token, max_age);
    if (!cookie.ok()) {
      Refuse(req, res, 500, lang);
      return;
    }
    res.set_header("Set-Cookie", *cookie);
    res.set_header("Set-Cookie", ClearCookie(kLoginCookie));
    Redirect(res, Home(lang));
  }

  void PostLogout(const Request& req, Response& res) {
    Lang lang = LangOf(req);
    auto form = ReadForm(req, res, lang);
    if (!form) return;
    if (auto it = form->find("lang"); it != form->end()) {
      lang = LangFrom(it->second);
    }
    const auto origin = Origin(req);
    if (!CsrfOk(req, &*form, origin.token)) {
      Refuse(req, res, 403, lang);
      return;
    }
    auto call = guard_.Begin(origin, kLogoutMethod);
    if (call.ok()) {
      if (auto s = sessions_.Logout(*call, origin.token); !s.ok()) {
        Refuse(req, res, HttpStatus(s), lang);
        return;
      }
    }
    // A session that had ended already is as logged out as can be.
    res.set_header("Set-Cookie", ClearCookie(kSessionCookie));
    Redirect(res, LoginPath(lang));
  }

  void GetGallery(const Request& req, Response& res) {
    const auto start = std::chrono::steady_clock::now();
    const Lang lang = LangOf(req);
    const auto origin = Origin(req);
    if (!CsrfOk(req, nullptr, origin.token)) {
      if (origin.token.empty()) return Unauthenticated(req, res, lang);
      return Refuse(req, res, 403, lang);
    }
    auto since = ParseSince(req.get_param_value("since"));
    if (!since.ok()) return Refuse(req, res, 400, lang);
    auto call = Begin(req, res, origin, kSyncMethod, lang);
    if (!call) return;
    kvo::v1::SyncGalleryRequest request;
    request.set_since_version(*since);
    int64_t retry_after = 0;
    auto sync = door_.Sync(*call, request, &retry_after);
    if (!sync.ok())
      return UseCaseRefusal(req, res, sync.status(), lang, retry_after);
    std::vector<const kvo::v1::GalleryEntry*> entries;
    entries.reserve(sync->entries.size());
    for (const auto& e : sync->entries) entries.push_back(e.get());
    Json(res, 200,
         SyncJson(lang, entries, sync->removed, sync->version, sync->reset));
    if (sync->no_change && options_.no_change != nullptr) {
      options_.no_change->Note(std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
      t_counted_no_change = true;
    }
  }

  void PostPhoto(const Request& req, Response& res) {
    const Lang lang = LangOf(req);
    auto form = ReadForm(req, res, lang);
    if (!form) return;
    const auto origin = Origin(req);
    if (!CsrfOk(req, &*form, origin.token)) {
      if (origin.token.empty()) return Unauthenticated(req, res, lang);
      return Refuse(req, res, 403, lang);
    }
    auto request = ParsePhotoForm(*form);
    if (!request.ok()) return Refuse(req, res, 400, lang);
    auto call = Begin(req, res, origin, kPhotoMethod, lang);
    if (!call) return;
    int64_t retry_after = 0;
    auto photo = door_.GetPhoto(*call, *request, kPhotoPurpose, &retry_after);
    if (!photo.ok()) {
      return UseCaseRefusal(req, res, photo.status(), lang, retry_after);
    }
    res.set_content(photo->jpeg(), "image/jpeg");
  }

  void PostIncident(const Request& req, Response& res) {
    const Lang lang = LangOf(req);
    auto form = ReadForm(req, res, lang);
    if (!form) return;
    const auto origin = Origin(req);
    if (!CsrfOk(req, &*form, origin.token)) {
      if (origin.token.empty()) return Unauthenticated(req, res, lang);
      return Refuse(req, res, 403, lang);
    }
    auto call = Begin(req, res, origin, kIncidentMethod, lang);
    if (!call) return;
    int64_t default_shop = 0;
    if (auto shops = incidents_.ShopsOfCaller(*call);
        shops.ok() && shops->size() == 1) {
      default_shop = (*shops)[0].id;
    }
    auto request = ParseIncidentForm(*form, default_shop);
    if (!request.ok()) {
      return Json(res, 400,
                  JsonError(FieldErrorText(lang, request.status().message())));
    }
    auto incident = incidents_.Record(*call, *request);
    if (!incident.ok()) {
      return UseCaseRefusal(req, res, incident.status(), lang, 0);
    }
    Json(
        res, 200,
        absl::StrCat("{\"message\":",
                     JsonString(lang == Lang::kEnglish
                                    ? absl::StrCat("Incident recorded (number ",
                                                   incident->id(), ").")
                                    : absl::StrCat("Incident vastgelegd "
                                                   "(nummer ",
                                                   incident->id(), ").")),
                     "}"));
  }

  void UseCaseRefusal(const Request& req, Response& res,
                      const absl::Status& status, Lang lang,
                      int64_t retry_after) const {
    const int code = HttpStatus(status);
    if (code == 429 && retry_after > 0) {
      res.set_header("Retry-After", std::to_string(retry_after));
    }
    // A refusal about a field of the form ("shop_id: a shopkeeper records
    // incidents of their own shop only") says so in the reader's language.
    if (IsApi(req) && (code == 400 || code == 403 || code == 404)) {
      const std::string field = FieldErrorText(lang, status.message());
      if (code == 400 || field != ErrorText(lang, 400)) {
        return Json(res, code, JsonError(field));
      }
    }
    if (code == 500) {
      common::LogError("door page use case failed",
                       {{"path", req.path}, {"detail", status.message()}});
    }
    Refuse(req, res, code, lang);
  }

  const kvo::v1::Policy& policy_;
  identity::RpcGuard& guard_;
  identity::Sessions& sessions_;
  gallery::DoorGallery& door_;
  registry::IncidentRecording& incidents_;
  const common::TlsMaterial& tls_;
  const DoorWebOptions options_;
  const CsrfKey csrf_;
  absl::Status tls_error_;
  HeldConnectionServer server_;
};

DoorWebServer::DoorWebServer(const kvo::v1::Policy& policy,
                             identity::RpcGuard& guard,
                             identity::Sessions& sessions,
                             gallery::DoorGallery& door,
                             registry::IncidentRecording& incidents,
                             const common::TlsMaterial& tls,
                             DoorWebOptions options)
    : listen_(options.listen),
      impl_(std::make_unique<Impl>(policy, guard, sessions, door, incidents,
                                   tls, std::move(options))) {}

DoorWebServer::~DoorWebServer() { Stop(); }

absl::StatusOr<int> DoorWebServer::Start() {
  auto& server = impl_->server();
  if (!server.is_valid()) {
    return impl_->tls_error().ok()
               ? absl::InternalError("--http-listen: cannot set up TLS")
               : impl_->tls_error();
  }
  auto port = common::BindHttpServer(server, listen_, "--http-listen",
                                     "127.0.0.1:8443");
  if (!port.ok()) return port.status();
  thread_ = std::thread([&server] { server.Serve(); });
  return port;
}

void DoorWebServer::Stop() {
  if (!thread_.joinable()) return;
  impl_->server().Shutdown();
  thread_.join();
}

}  // namespace kvo::door_web
