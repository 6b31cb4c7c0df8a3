// DescribeGroups: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_groups.h"

namespace sluice::broker {

SLUICE_HANDLER(DescribeGroups) {
  broker.groups().describe(req, ctx.api_version, std::move(respond));
}

}  // namespace sluice::broker
