// The baseline the door benches measure kvod against: a gRPC service that
// sends back messages of the sizes asked for, with no work in between.
#ifndef KVO_TESTS_BENCH_ECHO_SERVICE_H_
#define KVO_TESTS_BENCH_ECHO_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "kvo/bench/echo.grpc.pb.h"
#include "services/common/tls_material.h"

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

// `service` on 127.0.0.1 with kvod's TLS setup (`tls`, client
// certificates requested); the port it took in `*port`. nullptr when it
// did not start.
inline std::unique_ptr<grpc::Server> StartEchoServer(
    const common::TlsMaterial& tls, grpc::Service& service, int* port) {
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = tls.ca_cert_pem;
  ssl.pem_key_cert_pairs.push_back({tls.server_key_pem, tls.server_cert_pem});
  grpc::ServerBuilder builder;
  *port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl),
                           port);
  builder.SetMaxSendMessageSize(16 << 20);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  return server != nullptr && *port != 0 ? std::move(server) : nullptr;
}

}  // namespace kvo::testing

#endif  // KVO_TESTS_BENCH_ECHO_SERVICE_H_
