#include "handlers/handlers.h"
#include "sluice/broker/internal_topic.h"

namespace sluice::broker {

bool valid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

bool is_internal_topic(const std::string& name) {
  return name == kConsumerOffsetsTopic || name == kTransactionStateTopic;
}

protocol::ErrorCode auto_create_topic(Broker& broker, const std::string& name) {
  if (!valid_topic_name(name)) return protocol::ErrorCode::invalid_topic_exception;
  cluster::TopicMetadata t;
  t.name = name;
  t.id = cluster::random_topic_id();
  t.partitions = static_cast<int32_t>(broker.config().get_int("num.partitions"));
  t.replication_factor =
      static_cast<int16_t>(broker.config().get_int("default.replication.factor"));
  return broker.partitions().create_topic(t);
}

std::optional<cluster::TopicMetadata> topic_by_id(Broker& broker, const cluster::TopicId& id) {
  for (auto& t : broker.metadata().topics())
    if (t.id == id) return std::move(t);
  return std::nullopt;
}

}  // namespace sluice::broker
