// `sluice topic create|list|describe|delete|alter-config|add-partitions`.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admin_client.h"
#include "command.h"
#include "errors.h"
#include "global_options.h"
#include "key_value.h"

namespace sluice::cli {
namespace {

std::string join_ids(const std::vector<int32_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out.empty() ? "-" : out;
}

bool is_non_default(const ConfigEntry& e) {
  return !e.is_default && e.source != RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG;
}

// --- create ---------------------------------------------------------------------------------

struct CreateOptions {
  std::string topic;
  int partitions = 1;
  int replication_factor = 1;
  std::vector<std::string> configs;
};

void run_create(const CreateOptions& o, const GlobalOptions& global) {
  const auto configs = parse_key_values(o.configs, "--config");
  AdminClient admin(global);
  admin.create_topic(o.topic, o.partitions, o.replication_factor, configs);
  std::printf("Created topic '%s'.\n", o.topic.c_str());
}

// --- list -----------------------------------------------------------------------------------

struct ListOptions {
  bool all = false;
};

void run_list(const ListOptions& o, const GlobalOptions& global) {
  AdminClient admin(global);
  std::vector<std::string> names;
  for (const auto& t : fetch_all_topics(admin.handle(), global)) {
    if (!o.all && t.name.starts_with("__")) continue;
    names.push_back(t.name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) std::printf("%s\n", n.c_str());
}

// --- describe -------------------------------------------------------------------------------

struct TopicOptions {
  std::string topic;
};

void run_describe(const TopicOptions& o, const GlobalOptions& global) {
  AdminClient admin(global);
  const TopicInfo info = fetch_topic(admin.handle(), global, o.topic);

  size_t replication = 0;
  for (const auto& p : info.partitions) replication = std::max(replication, p.replicas.size());
  std::printf("Topic: %s\n", info.name.c_str());
  std::printf("Partitions: %zu\n", info.partitions.size());
  std::printf("ReplicationFactor: %zu\n", replication);
  for (const auto& p : info.partitions) {
    std::printf("  Partition: %d  Leader: %d  Replicas: %s  Isr: %s", p.id, p.leader,
                join_ids(p.replicas).c_str(), join_ids(p.isrs).c_str());
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) std::printf("  Error: %s", rd_kafka_err2name(p.err));
    std::printf("\n");
  }
  std::fflush(stdout);  // The partitions are shown even if fetching the configs fails.

  const auto configs = admin.describe_topic_configs(o.topic);
  std::vector<const ConfigEntry*> shown;
  for (const auto& e : configs) {
    if (is_non_default(e)) shown.push_back(&e);
  }
  std::sort(shown.begin(), shown.end(),
            [](const ConfigEntry* a, const ConfigEntry* b) { return a->name < b->name; });
  std::printf("Configs:%s\n", shown.empty() ? " (none)" : "");
  for (const ConfigEntry* e : shown) {
    const std::string value = e->sensitive ? "(sensitive)" : e->value.value_or("(null)");
    std::printf("  %s=%s", e->name.c_str(), value.c_str());
    if (e->source != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
      std::printf("  (%s)", rd_kafka_ConfigSource_name(e->source));
    }
    std::printf("\n");
  }
}

// --- delete ---------------------------------------------------------------------------------

void run_delete(const TopicOptions& o, const GlobalOptions& global) {
  AdminClient admin(global);
  admin.delete_topic(o.topic);
  std::printf("Deleted topic '%s'.\n", o.topic.c_str());
}

// --- alter-config ---------------------------------------------------------------------------

struct AlterOptions {
  std::string topic;
  std::vector<std::string> set;
  std::vector<std::string> remove;
};

void run_alter_config(const AlterOptions& o, const GlobalOptions& global) {
  if (o.set.empty() && o.remove.empty()) {
    throw UsageError("alter-config needs at least one --set or --delete");
  }
  const auto changes = parse_key_values(o.set, "--set");
  AdminClient admin(global);

  // AlterConfigs replaces the whole set of overrides, so start from the current ones.
  std::map<std::string, std::string> overrides;
  for (const auto& e : admin.describe_topic_configs(o.topic)) {
    // DescribeConfigs v0 reports no source: treat every non-default entry as an override.
    const bool is_override = e.source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG ||
                             (e.source == RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG && !e.is_default);
    if (!is_override || e.read_only) continue;
    if (!e.value) {
      throw CliError("cannot keep the value of config '" + e.name +
                     "' (the broker does not return it); refusing to drop it");
    }
    overrides[e.name] = *e.value;
  }
  for (const auto& key : o.remove) {
    if (overrides.erase(key) == 0) {
      throw CliError("config '" + key + "' is not set on topic '" + o.topic + "'");
    }
  }
  for (const auto& [key, value] : changes) overrides[key] = value;

  admin.alter_topic_configs(o.topic, {overrides.begin(), overrides.end()});
  std::printf("Altered configs of topic '%s'.\n", o.topic.c_str());
}

// --- add-partitions -------------------------------------------------------------------------

struct AddPartitionsOptions {
  std::string topic;
  int total = 0;
};

void run_add_partitions(const AddPartitionsOptions& o, const GlobalOptions& global) {
  AdminClient admin(global);
  admin.create_partitions(o.topic, o.total);
  std::printf("Topic '%s' now has %d partitions.\n", o.topic.c_str(), o.total);
}

}  // namespace

void add_topic_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* topic = app.add_subcommand("topic", "Create, list, inspect and change topics");
  topic->require_subcommand(1);

  {
    auto o = std::make_shared<CreateOptions>();
    CLI::App* sub = topic->add_subcommand("create", "Create a topic");
    sub->add_option("name", o->topic, "Topic name")->required();
    sub->add_option("-p,--partitions", o->partitions, "Number of partitions")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->add_option("-r,--replication-factor", o->replication_factor, "Replication factor")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->add_option("-c,--config", o->configs, "Topic config override key=value (repeatable)")
        ->allow_extra_args(false);
    bind(sub, o, global, action, run_create);
  }
  {
    auto o = std::make_shared<ListOptions>();
    CLI::App* sub = topic->add_subcommand("list", "List topic names, one per line, sorted");
    sub->add_flag("-a,--all", o->all, "Include internal topics (names starting with \"__\")");
    bind(sub, o, global, action, run_list);
  }
  {
    auto o = std::make_shared<TopicOptions>();
    CLI::App* sub =
        topic->add_subcommand("describe", "Show partitions (leader, replicas, isr) and configs");
    sub->add_option("name", o->topic, "Topic name")->required();
    bind(sub, o, global, action, run_describe);
  }
  {
    auto o = std::make_shared<TopicOptions>();
    CLI::App* sub = topic->add_subcommand("delete", "Delete a topic");
    sub->add_option("name", o->topic, "Topic name")->required();
    bind(sub, o, global, action, run_delete);
  }
  {
    auto o = std::make_shared<AlterOptions>();
    CLI::App* sub = topic->add_subcommand("alter-config", "Set or remove topic config overrides");
    sub->add_option("name", o->topic, "Topic name")->required();
    sub->add_option("-s,--set", o->set, "Config to set, key=value (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("-d,--delete", o->remove, "Config override to remove (repeatable)")
        ->allow_extra_args(false);
    bind(sub, o, global, action, run_alter_config);
  }
  {
    auto o = std::make_shared<AddPartitionsOptions>();
    CLI::App* sub = topic->add_subcommand("add-partitions", "Increase the number of partitions");
    sub->add_option("name", o->topic, "Topic name")->required();
    sub->add_option("-n,--total", o->total, "New total number of partitions")
        ->required()
        ->check(CLI::PositiveNumber);
    bind(sub, o, global, action, run_add_partitions);
  }
}

}  // namespace sluice::cli
