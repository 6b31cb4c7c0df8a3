// How command modules plug into main: each registers its CLI11 subcommands and, when one of them
// is selected on the command line, stores the work to do in `action` (run after parsing, so that
// parse errors and operation errors stay apart).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace sluice::cli {

struct GlobalOptions;

using Action = std::function<void()>;

void add_topic_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void add_produce_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_consume_command(CLI::App& app, const GlobalOptions& global, Action& action);

}  // namespace sluice::cli
