#include "tests/support/door_page_client.h"

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace kvo::testing {

DoorPageClient::DoorPageClient(const std::string& url,
                               const std::string& ca_path)
    : url_(url), ca_path_(ca_path) {
  // httplib takes "https://host:port" without the path.
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

DoorPageClient::~DoorPageClient() = default;

std::unique_ptr<httplib::Client> DoorPageClient::Https() const {
  auto c = std::make_unique<httplib::Client>(url_);
  c->set_ca_cert_path(ca_path_.c_str());
  c->enable_server_certificate_verification(true);
  c->set_read_timeout(30, 0);
  return c;
}

std::string DoorPageClient::Between(const std::string& s, const std::string& a,
                                    const std::string& b) {
  const size_t from = s.find(a);
  if (from == std::string::npos) return "";
  const size_t start = from + a.size();
  return s.substr(start, s.find(b, start) - start);
}

DoorPageClient::Session DoorPageClient::Login(
    const std::string& login, const std::string& password,
    const std::string& forwarded_for) const {
  Session out;
  auto c = Https();
  httplib::Headers headers;
  if (!forwarded_for.empty()) {
    headers.emplace("X-Forwarded-For", forwarded_for);
  }
  auto page = c->Get("/login", headers);
  if (!page) {
    out.error = "GET /login: " + httplib::to_string(page.error());
    return out;
  }
  const std::string set = page->get_header_value("Set-Cookie");
  const std::string nonce = set.substr(0, set.find(';'));
  const std::string csrf = Between(page->body, "name=\"csrf\" value=\"", "\"");
  headers.emplace("Cookie", nonce);
  auto res = c->Post("/login", headers,
                     "csrf=" + csrf + "&login=" + login + "&password=" +
                         absl::StrReplaceAll(password, {{" ", "+"}}),
                     "application/x-www-form-urlencoded");
  if (!res) {
    out.error = "POST /login: " + httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  if (res->status != 303) {
    out.error = absl::StrCat("POST /login answered ", res->status, ": ",
                             res->body.substr(0, 200));
    return out;
  }
  for (auto [it, end] = res->headers.equal_range("Set-Cookie"); it != end;
       ++it) {
    if (absl::StartsWith(it->second, "__Host-kvo_door=")) {
      out.cookie = it->second.substr(0, it->second.find(';'));
    }
  }
  if (out.cookie.empty()) out.error = "POST /login set no session cookie";
  return out;
}

DoorPageClient::Session DoorPageClient::Open(
    const std::string& login, const std::string& password) const {
  Session page = Login(login, password);
  if (!page.error.empty()) return page;
  auto home = Https()->Get("/", {{"Cookie", page.cookie}});
  if (!home || home->status != 200) {
    page.error = home ? absl::StrCat("GET / answered ", home->status)
                      : "GET /: " + httplib::to_string(home.error());
    return page;
  }
  page.csrf = Between(home->body, "data-csrf=\"", "\"");
  if (page.csrf.empty()) page.error = "GET / carries no data-csrf";
  return page;
}

DoorPageClient::Answer DoorPageClient::Gallery(const Session& session,
                                               int64_t since) const {
  return AnswerOf(Https()->Get(
      absl::StrCat("/api/gallery?since=", since),
      {{"Cookie", session.cookie}, {"X-CSRF-Token", session.csrf}}));
}

DoorPageClient::Answer DoorPageClient::Home(const Session& session) const {
  return AnswerOf(Https()->Get("/", {{"Cookie", session.cookie}}));
}

DoorPageClient::Answer DoorPageClient::AnswerOf(const httplib::Result& res) {
  Answer out;
  if (!res) {
    out.body = httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  return out;
}

}  // namespace kvo::testing
