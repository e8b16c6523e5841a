#ifndef KVO_CLIENTS_CLI_PASSWORD_INPUT_H_
#define KVO_CLIENTS_CLI_PASSWORD_INPUT_H_

#include <istream>
#include <optional>
#include <string>

namespace kvo::cli {

// How kvo reads a password: never from the command line (it would land in
// shell history and /proc). With --password-stdin, one line from stdin; else
// from a terminal with echo off; else it is a usage error.
struct PasswordOptions {
  bool from_stdin = false;  // --password-stdin
  bool confirm = false;     // a new password: ask twice and compare (TTY)
};

// The password, or nullopt with a one-line reason in `error` (exit 2).
std::optional<std::string> ReadPassword(const PasswordOptions& options,
                                        std::string* error);

// One line from `in` without its "\n" or "\r\n"; an empty line or end of
// input is an error. The --password-stdin path, exposed for tests.
std::optional<std::string> ReadPasswordLine(std::istream& in,
                                            std::string* error);

// Overwrites a secret's bytes before it is dropped (best effort: copies made
// by protobuf or the allocator are out of reach).
void WipeSecret(std::string* secret);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_PASSWORD_INPUT_H_
