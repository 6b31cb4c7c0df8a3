#include "sluice/broker/broker.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>

#include "handlers/handlers.h"
#include "refusal_log.h"
#include "sluice/protocol/header.h"
#include "sluice/protocol/messages/all.h"

namespace sluice::broker {
namespace {

using protocol::Reader;

using Runner = void (*)(Broker&, RequestContext, Reader&, bool flexible, Broker::Respond);

struct ApiEntry {
  const char* name;
  ApiRange range;
  int16_t flexible_from;
  Runner run;
  // Data-path APIs run on the shard of the connection and reach partitions through their
  // owners; the rest (metadata, admin, groups) run on the control shard.
  bool any_shard = false;
};

RefusalLog& refusals() {
  static RefusalLog log;
  return log;
}

const char* api_name(int16_t key);

template <typename Req, typename Resp>
struct Bind {
  using Handler = void (*)(Broker&, const RequestContext&, Req&, Respond<Resp>);
  template <Handler H>
  static void run(Broker& b, RequestContext ctx, Reader& r, bool flexible,
                  Broker::Respond respond) {
    Req req;
    const bool debug = spdlog::should_log(spdlog::level::debug);
    const char* name = debug ? api_name(Req::api_key) : "";
    if (!protocol::decode(r, req, ctx.api_version, flexible)) {
      name = api_name(Req::api_key);
      if (refusals().first(ctx.client_host, ctx.client_id, std::string("malformed ") + name))
        spdlog::info("malformed {} v{} request from client '{}' at {}: connection closed", name,
                     ctx.api_version, ctx.client_id, ctx.client_host);
      return respond({Reply::Kind::close, {}, {}});
    }
    if (debug)
      spdlog::debug("{} v{} from client '{}' at {} (correlation id {})", name, ctx.api_version,
                    ctx.client_id, ctx.client_host, ctx.correlation_id);
    // ApiVersions answers with response header v0 whatever its version.
    bool flexible_header = ctx.api_version >= Resp::flexible_from && Req::api_key != 18;
    // Produce with acks=0 is the one request that gets no response on the wire.
    bool silent = false;
    if constexpr (requires { req.acks; }) silent = req.acks == 0;
    H(b, ctx, req,
      [ctx, debug, name, flexible_header, silent, respond = std::move(respond)](Resp&& resp) {
        if constexpr (requires { resp.error_code; })
          if (debug && resp.error_code != 0)
            spdlog::debug("{} (correlation id {}) from client '{}' answered error {}", name,
                          ctx.correlation_id, ctx.client_id, resp.error_code);
        if (silent) return respond({Reply::Kind::none, {}, {}});
        Reply reply{Reply::Kind::send, {}, {}};
        protocol::encode_response_header(reply.frame, ctx.correlation_id, flexible_header);
        protocol::Writer w(reply.frame, &reply.splices);
        protocol::encode(w, resp, ctx.api_version, ctx.api_version >= Resp::flexible_from);
        respond(std::move(reply));
      });
  }
  // The versions served are the handler's to say: a message description may know more versions
  // than the handler implements, never fewer.
  template <Handler H, int16_t Min, int16_t Max>
  static ApiEntry entry(const char* name, bool any_shard = false) {
    static_assert(Req::valid.min <= Min && Min <= Max && Max <= Req::valid.max,
                  "served versions must lie within the message description's");
    static_assert(Resp::valid.min <= Min && Max <= Resp::valid.max);
    return {name, {Req::api_key, Min, Max}, Req::flexible_from, &run<H>, any_shard};
  }
};

#define SLUICE_API(Name, Min, Max) \
  Bind<protocol::Name##Request, protocol::Name##Response>::entry<&handle_##Name, Min, Max>(#Name)
#define SLUICE_DATA_API(Name, Min, Max)                                                           \
  Bind<protocol::Name##Request, protocol::Name##Response>::entry<&handle_##Name, Min, Max>(#Name, \
                                                                                           true)

// Only APIs that work end to end are listed, with the versions their handlers serve: clients
// switch features on from this table (ApiVersions advertises it as it is).
const std::vector<ApiEntry>& api_table() {
  static const std::vector<ApiEntry> table = {
      SLUICE_DATA_API(Produce, 3, 11),
      SLUICE_DATA_API(Fetch, 4, 12),
      SLUICE_DATA_API(ListOffsets, 1, 10),
      SLUICE_API(Metadata, 0, 13),
      SLUICE_DATA_API(ApiVersions, 0, 4),
      SLUICE_API(CreateTopics, 0, 7),
      SLUICE_API(DeleteTopics, 0, 6),
      SLUICE_DATA_API(DeleteRecords, 0, 2),
      SLUICE_API(DescribeConfigs, 0, 4),
      SLUICE_API(AlterConfigs, 0, 2),
      SLUICE_API(CreatePartitions, 0, 3),
      SLUICE_API(IncrementalAlterConfigs, 0, 1),
      SLUICE_API(DescribeCluster, 0, 2),
      SLUICE_API(FindCoordinator, 0, 6),
      SLUICE_API(JoinGroup, 0, 9),
      SLUICE_API(SyncGroup, 0, 5),
      SLUICE_API(Heartbeat, 0, 4),
      SLUICE_API(LeaveGroup, 0, 5),
      SLUICE_API(OffsetCommit, 0, 9),
      SLUICE_API(OffsetFetch, 0, 9),
      SLUICE_API(DescribeGroups, 0, 6),
      SLUICE_API(ListGroups, 0, 5),
      SLUICE_API(DeleteGroups, 0, 2),
      SLUICE_API(OffsetDelete, 0, 0),
      SLUICE_API(InitProducerId, 0, 5),
      SLUICE_DATA_API(DescribeProducers, 0, 0),
      SLUICE_API(DescribeLogDirs, 0, 5),
      SLUICE_API(DescribeTopicPartitions, 0, 0),
      SLUICE_API(AddPartitionsToTxn, 0, 3),
      SLUICE_API(AddOffsetsToTxn, 0, 4),
      SLUICE_API(EndTxn, 0, 4),
      SLUICE_API(DescribeTransactions, 0, 0),
      SLUICE_API(ListTransactions, 0, 2),
      SLUICE_API(TxnOffsetCommit, 0, 4),
      SLUICE_DATA_API(WriteTxnMarkers, 1, 1),
  };
  return table;
}

// A test-only fault switch, off unless the environment sets it (docs/architecture.md, "Fault
// switches"): SLUICE_FAULT_DROP_PRODUCE_RESPONSES=N throws away every Nth produce response,
// counted over all connections, after the produce took effect, and closes the connection instead,
// as a lost response looks to a client. Retries must then be harmless: that is what it tests.
int64_t drop_produce_response_every() {
  static const int64_t n = [] {
    const char* v = std::getenv("SLUICE_FAULT_DROP_PRODUCE_RESPONSES");
    return v ? std::max<int64_t>(0, std::atoll(v)) : 0;
  }();
  return n;
}
std::atomic<int64_t> produce_responses{0};

const ApiEntry* find_api(int16_t key) {
  for (const auto& e : api_table())
    if (e.range.key == key) return &e;
  return nullptr;
}

const char* api_name(int16_t key) {
  const ApiEntry* e = find_api(key);
  return e ? e->name : "?";
}

}  // namespace

Broker::Broker(const ConfigSet& config, NodeInfo self, cluster::MetadataStore& metadata,
               PartitionManager& partitions, group::GroupCoordinator& groups,
               txn::ProducerIdManager& producer_ids, txn::TransactionCoordinator& txns)
    : config_(config),
      self_(std::move(self)),
      metadata_(metadata),
      partitions_(partitions),
      groups_(groups),
      producer_ids_(producer_ids),
      txns_(txns) {}

const std::vector<ApiRange>& Broker::supported_apis() const {
  static const std::vector<ApiRange> ranges = [] {
    std::vector<ApiRange> v;
    for (const auto& e : api_table()) v.push_back(e.range);
    return v;
  }();
  return ranges;
}

asio::io_context& Broker::io() { return shards().io(ShardSet::current()); }

void Broker::handle(Frame frame, const std::string& client_host, Respond respond) {
  auto bytes = std::make_shared<Frame>(std::move(frame));
  Reader r(std::span(bytes->data(), bytes->size()));
  protocol::RequestHeader h;
  if (!protocol::decode_request_header_v1(r, h)) return respond({Reply::Kind::close, {}, {}});
  const ApiEntry* api = find_api(h.api_key);
  const unsigned here = ShardSet::current();
  if (api && !api->any_shard && here != 0) {
    // To the control shard and back: the request is handled there, the reply returns here,
    // where the connection lives.
    return shards().post(0, [this, bytes, host = client_host, here, respond = std::move(respond)] {
      handle(std::move(*bytes), host, [this, here, respond](Reply reply) {
        shards().post(here,
                      [respond, reply = std::move(reply)]() mutable { respond(std::move(reply)); });
      });
    });
  }
  RequestContext ctx{h.api_version, h.correlation_id, h.client_id.value_or(""), client_host, bytes};
  if (!api) {
    if (refusals().first(client_host, ctx.client_id, "api " + std::to_string(h.api_key)))
      spdlog::info("API key {} (not served) from client '{}' at {}: connection closed", h.api_key,
                   ctx.client_id, client_host);
    return respond({Reply::Kind::close, {}, {}});
  }
  if (h.api_version < api->range.min || h.api_version > api->range.max) {
    if (h.api_key == protocol::ApiVersionsRequest::api_key) {
      // KIP-511: a version we do not know gets a v0 answer listing what we do support, so the
      // client can retry with a version both sides speak.
      protocol::ApiVersionsResponse resp;
      resp.error_code = protocol::to_wire(protocol::ErrorCode::unsupported_version);
      for (const auto& a : supported_apis()) resp.api_keys.push_back({a.key, a.min, a.max});
      Reply reply{Reply::Kind::send, {}, {}};
      protocol::encode_response_header(reply.frame, h.correlation_id, false);
      protocol::Writer w(reply.frame);
      protocol::encode(w, resp, 0, false);
      return respond(std::move(reply));
    }
    if (refusals().first(client_host, ctx.client_id,
                         std::string(api->name) + " v" + std::to_string(h.api_version)))
      spdlog::info("{} v{} from client '{}' at {}: versions {}-{} are served; connection closed",
                   api->name, h.api_version, ctx.client_id, client_host, api->range.min,
                   api->range.max);
    return respond({Reply::Kind::close, {}, {}});
  }
  if (h.api_key == protocol::ProduceRequest::api_key && drop_produce_response_every() > 0 &&
      ++produce_responses % drop_produce_response_every() == 0) {
    respond = [respond = std::move(respond)](Reply reply) {
      if (reply.kind == Reply::Kind::send) {
        spdlog::warn("fault switch: produce response dropped, connection closed");
        reply = {Reply::Kind::close, {}, {}};
      }
      respond(std::move(reply));
    };
  }
  bool flexible = h.api_version >= api->flexible_from;
  if (flexible && !protocol::skip_tagged_fields(r)) return respond({Reply::Kind::close, {}, {}});
  api->run(*this, std::move(ctx), r, flexible, std::move(respond));
}

}  // namespace sluice::broker
