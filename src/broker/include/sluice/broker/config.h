#pragma once
// Broker and topic configuration under Kafka's property names. Every key is declared once in a
// table (name, type, default, check); a value is parsed and checked when set, so a bad file,
// flag or admin request is refused whole with one line naming the key and the problem.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker {

enum class ConfigType { boolean, int32, int64, double_, string, list };

struct ConfigKey {
  std::string_view name;
  ConfigType type;
  std::string_view default_value;
  int64_t min = INT64_MIN;  // numbers only
  int64_t max = INT64_MAX;
  std::vector<std::string_view> choices = {};  // strings: allowed values when not empty
  // For topic keys: the broker key whose value is the default ("" when none).
  std::string_view broker_key = {};
  std::string_view doc = {};
  // Set for a Kafka config of a feature Sluice does not have yet (tiered storage, compaction,
  // replication throttles, ...): it names the feature, and only the default value is accepted,
  // any other is refused with a message saying so, never silently ignored.
  std::string_view missing_feature = {};
};

// A Kafka broker key Sluice accepts without using it: a file or --set naming it gets a warning
// saying why instead of an error (a key that neither knows is still refused, catching typos).
struct IgnoredKey {
  std::string_view name;
  std::string_view why;
};

const std::vector<ConfigKey>& broker_config_keys();
const std::vector<IgnoredKey>& ignored_kafka_keys();
const std::vector<ConfigKey>& topic_config_keys();
const ConfigKey* find_key(const std::vector<ConfigKey>& table, std::string_view name);

// Checks a value against its key; the error text when it does not fit, else nullopt.
std::optional<std::string> check_value(const ConfigKey& key, std::string_view value);

// A set of key=value pairs checked against a table; missing keys take the table defaults.
class ConfigSet {
 public:
  explicit ConfigSet(const std::vector<ConfigKey>& table) : table_(&table) {}
  // Error text (naming the key) when the key is unknown or the value bad; nothing changes then.
  std::optional<std::string> set(std::string_view key, std::string_view value);
  std::string get(std::string_view key) const;
  int64_t get_int(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  bool is_set(std::string_view key) const { return values_.count(std::string(key)) > 0; }
  const std::map<std::string, std::string>& overrides() const { return values_; }

 private:
  const std::vector<ConfigKey>* table_;
  std::map<std::string, std::string> values_;
};

// The broker's configuration: the file, then --set flags, in that order. Throws
// std::invalid_argument with a one-line message on an unknown key or bad value; adds one line
// per ignored Kafka key to `warnings`.
ConfigSet load_broker_config(const std::optional<std::string>& file,
                             const std::vector<std::string>& assignments,
                             std::vector<std::string>* warnings = nullptr);

// The effective value of a topic config: the topic's override, else the broker default.
std::string topic_config_value(const ConfigSet& broker,
                               const std::map<std::string, std::string>& overrides,
                               const ConfigKey& key);

}  // namespace sluice::broker
