#ifndef KVO_TESTS_SIM_CALLS_H_
#define KVO_TESTS_SIM_CALLS_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/sim/model.h"

namespace kvo::sim {

// What the actors share: drawing from the seed's generator, timestamps,
// and noting a call that answered otherwise than the model expected.

inline bool Chance(std::mt19937_64& rng, double p) {
  return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}
inline int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}
template <typename T>
const T& Pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[Uniform(rng, 0, static_cast<int64_t>(v.size()) - 1)];
}

google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& ts);

// A refusal the model allows for a person it no longer needs: the
// retention job (which also runs on its own every 5 minutes) may have
// erased them.
bool GoneIsFine(const Model& model, Handle person, absl::Time now,
                const grpc::Status& s);

// "NOT_FOUND".
std::string CodeName(grpc::StatusCode code);
// "NOT_FOUND: message".
std::string Describe(const grpc::Status& s);

// Notes in model.unexpected that `what` answered `s` where the model
// expected OK because of `why_expected`.
void Unexpected(Model& model, const std::string& what, const grpc::Status& s,
                const std::string& why_expected);
// Notes that `what` answered `s` where the model expected `expected`
// (a status code's name, e.g. "FAILED_PRECONDITION") because of `why`.
void UnexpectedCode(Model& model, const std::string& what,
                    const grpc::Status& s, const std::string& expected,
                    const std::string& why);

}  // namespace kvo::sim

#endif  // KVO_TESTS_SIM_CALLS_H_
