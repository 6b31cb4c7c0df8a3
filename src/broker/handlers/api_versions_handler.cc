#include <regex>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/api_versions.h"

namespace sluice::broker {

SLUICE_HANDLER(ApiVersions) {
  protocol::ApiVersionsResponse resp;
  if (ctx.api_version >= 3) {
    // KIP-511's pattern for client software name and version.
    static const std::regex pattern("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");
    if (!std::regex_match(req.client_software_name, pattern) ||
        !std::regex_match(req.client_software_version, pattern)) {
      resp.error_code = protocol::to_wire(protocol::ErrorCode::invalid_request);
      return respond(std::move(resp));
    }
  }
  for (const auto& a : broker.supported_apis()) resp.api_keys.push_back({a.key, a.min, a.max});
  respond(std::move(resp));
}

}  // namespace sluice::broker
