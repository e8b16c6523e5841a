#include "clients/cli/password_input.h"

#include <signal.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace kvo::cli {
namespace {

// The terminal state to restore if the user interrupts the prompt: without
// this, Ctrl-C would leave the shell with echo off.
struct termios g_saved_termios;
volatile sig_atomic_t g_echo_off = 0;

void RestoreAndReraise(int sig) {
  if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Echo off for the lifetime of the guard.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
    struct termios quiet = g_saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    struct sigaction action = {};
    action.sa_handler = RestoreAndReraise;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
    ::sigaction(SIGHUP, &action, &old_hup_);
    if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0) g_echo_off = 1;
  }
  ~EchoOff() {
    if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
    g_echo_off = 0;
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGHUP, &old_hup_, nullptr);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
  struct sigaction old_hup_ = {};
};

// Reads straight from fd 0 so nothing stays behind in iostream buffers.
std::optional<std::string> PromptOnTerminal(const char* prompt,
                                            std::string* error) {
  std::cerr << prompt << std::flush;
  std::string line;
  line.reserve(512);  // fewer reallocations leaving unwiped copies behind
  {
    EchoOff echo_off;
    for (;;) {
      char c;
      ssize_t n = ::read(STDIN_FILENO, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        WipeSecret(&line);
        *error = "no password entered";
        return std::nullopt;
      }
      if (c == '\n') break;
      line.push_back(c);
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    *error = "empty password";
    return std::nullopt;
  }
  return line;
}

}  // namespace

std::optional<std::string> ReadPasswordLine(std::istream& in,
                                            std::string* error) {
  std::string line;
  if (!std::getline(in, line)) {
    *error = "--password-stdin: no password on stdin";
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    *error = "--password-stdin: empty password";
    return std::nullopt;
  }
  return line;
}

std::optional<std::string> ReadPassword(const PasswordOptions& options,
                                        std::string* error) {
  if (options.from_stdin) return ReadPasswordLine(std::cin, error);
  if (!::isatty(STDIN_FILENO)) {
    *error =
        "stdin is not a terminal: pass --password-stdin and write the "
        "password as one line to stdin";
    return std::nullopt;
  }
  auto first = PromptOnTerminal("Password: ", error);
  if (!first || !options.confirm) return first;
  auto second = PromptOnTerminal("Password again: ", error);
  if (!second) {
    WipeSecret(&*first);
    return std::nullopt;
  }
  const bool same =
      first->size() == second->size() &&
      sodium_memcmp(first->data(), second->data(), first->size()) == 0;
  WipeSecret(&*second);
  if (!same) {
    WipeSecret(&*first);
    *error = "the passwords do not match";
    return std::nullopt;
  }
  return first;
}

void WipeSecret(std::string* secret) {
  if (!secret->empty()) sodium_memzero(secret->data(), secret->size());
  secret->clear();
}

}  // namespace kvo::cli
