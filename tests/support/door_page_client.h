#ifndef KVO_TESTS_SUPPORT_DOOR_PAGE_CLIENT_H_
#define KVO_TESTS_SUPPORT_DOOR_PAGE_CLIENT_H_

#include <memory>
#include <string>

namespace httplib {
class Client;
class Result;
}  // namespace httplib

namespace kvo::testing {

// An HTTPS client of kvod's door page (--http-listen) that trusts the
// project's CA, logging in and reading the page's JSON as its script does.
// Shared by the door page's end-to-end tests and the simulation. Not
// thread-safe.
class DoorPageClient final {
 public:
  // `url`: "https://127.0.0.1:PORT/" (KvodProcess::door_url()); `ca_path`:
  // the CA kvod's certificate is signed by.
  DoorPageClient(const std::string& url, const std::string& ca_path);
  ~DoorPageClient();

  std::unique_ptr<httplib::Client> Https() const;

  // A signed-in page: its session cookie ("__Host-kvo_door=...") and the
  // CSRF token the page carries; empty when a step failed (`error` says
  // which).
  struct Session {
    std::string cookie;
    std::string csrf;
    std::string error;
    int status = 0;  // of POST /login (303 when logged in)
  };
  // Logs in through the login form as a browser would (the session
  // cookie only; `csrf` stays empty). A `forwarded_for` goes with both
  // requests as their X-Forwarded-For header, as a proxy would send it.
  Session Login(const std::string& login, const std::string& password,
                const std::string& forwarded_for = "") const;
  // Login, then the home page for its CSRF token.
  Session Open(const std::string& login, const std::string& password) const;

  // GET /api/gallery?since=N: the HTTP status (0 when no answer) and body.
  struct Answer {
    int status = 0;
    std::string body;
  };
  Answer Gallery(const Session& session, int64_t since) const;
  // GET /: the page itself (its shops, its CSRF token).
  Answer Home(const Session& session) const;

  // The text between `a` and the next `b` in `s` ("" when `a` is absent).
  static std::string Between(const std::string& s, const std::string& a,
                             const std::string& b);

 private:
  static Answer AnswerOf(const httplib::Result& res);

  std::string url_;
  std::string ca_path_;
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_SUPPORT_DOOR_PAGE_CLIENT_H_
