// The baseline the door benches measure kvod against: a gRPC service that
// sends back messages of the sizes asked for, with no work in between.
#ifndef KVO_TESTS_BENCH_ECHO_SERVICE_H_
#define KVO_TESTS_BENCH_ECHO_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "kvo/bench/echo.grpc.pb.h"

namespace kvo::testing {

// Stream on the synchronous API (as kvod's streams were), Unary on the
// callback API (an asynchronous server: the least a unary call costs).
class EchoService final : public kvo::bench::Echo::WithCallbackMethod_Unary<
                              kvo::bench::Echo::Service> {
 public:
  grpc::Status Stream(
      grpc::ServerContext*, const kvo::bench::EchoRequest* request,
      grpc::ServerWriter<kvo::bench::EchoReply>* writer) override {
    kvo::bench::EchoReply reply;
    for (int32_t size : request->sizes()) {
      reply.mutable_payload()->assign(static_cast<size_t>(size), 'e');
      if (!writer->Write(reply)) break;
    }
    return grpc::Status::OK;
  }
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context,
                                  const kvo::bench::EchoRequest* request,
                                  kvo::bench::EchoReply* reply) override {
    reply->mutable_payload()->assign(
        static_cast<size_t>(request->sizes_size() > 0 ? request->sizes(0) : 0),
        'e');
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace kvo::testing

#endif  // KVO_TESTS_BENCH_ECHO_SERVICE_H_
