#pragma once
// Kafka's server.properties names for where a node listens and keeps its data, read for
// Sluice's one client listener and one data dir. Start-up only: errors are exceptions.
#include <optional>
#include <string>
#include <string_view>

#include "sluice/broker/config.h"

namespace sluice::broker {

// `listeners` or `advertised.listeners` (the key given) hold NAME://HOST:PORT entries, comma
// separated. The client listener is the one controller.listener.names does not name, and it must
// be PLAINTEXT (by listener.security.protocol.map, else by its name): Sluice has no TLS or SASL
// yet. Returns "HOST:PORT", an empty host read as 0.0.0.0 (every interface, as Kafka binds), or
// throws std::invalid_argument with one line naming the key.
std::string kafka_client_listener(const ConfigSet& cfg, std::string_view key);

// log.dirs, else log.dir, when set; more than one directory is refused (one data dir per node).
std::optional<std::string> kafka_log_dir(const ConfigSet& cfg);

}  // namespace sluice::broker
