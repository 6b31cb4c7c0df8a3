#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct DescribeConfigsRequest {
  static constexpr int16_t api_key = 32;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 4;
  struct DescribeConfigsResource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;  // null = all keys
    static constexpr auto fields() {
      using S = DescribeConfigsResource;
      return std::tuple{field("resource_type", &S::resource_type),
                        field("resource_name", &S::resource_name),
                        field("configuration_keys", &S::configuration_keys)};
    }
  };
  std::vector<DescribeConfigsResource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;
  static constexpr auto fields() {
    using S = DescribeConfigsRequest;
    return std::tuple{field("resources", &S::resources),
                      field("include_synonyms", &S::include_synonyms, since(1)),
                      field("include_documentation", &S::include_documentation, since(3))};
  }
};

struct DescribeConfigsResponse {
  static constexpr int16_t api_key = 32;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 4;
  struct DescribeConfigsSynonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;
    static constexpr auto fields() {
      using S = DescribeConfigsSynonym;
      return std::tuple{field("name", &S::name), field("value", &S::value),
                        field("source", &S::source)};
    }
  };
  struct DescribeConfigsResourceResult {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    std::vector<DescribeConfigsSynonym> synonyms;
    int8_t config_type = 0;
    std::optional<std::string> documentation;
    static constexpr auto fields() {
      using S = DescribeConfigsResourceResult;
      return std::tuple{field("name", &S::name),
                        field("value", &S::value),
                        field("read_only", &S::read_only),
                        field("is_default", &S::is_default, until(0)),
                        field("config_source", &S::config_source, since(1)),
                        field("is_sensitive", &S::is_sensitive),
                        field("synonyms", &S::synonyms, since(1)),
                        field("config_type", &S::config_type, since(3)),
                        field("documentation", &S::documentation, since(3))};
    }
  };
  struct DescribeConfigsResult {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<DescribeConfigsResourceResult> configs;
    static constexpr auto fields() {
      using S = DescribeConfigsResult;
      return std::tuple{field("error_code", &S::error_code),
                        field("error_message", &S::error_message),
                        field("resource_type", &S::resource_type),
                        field("resource_name", &S::resource_name), field("configs", &S::configs)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<DescribeConfigsResult> results;
  static constexpr auto fields() {
    using S = DescribeConfigsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("results", &S::results)};
  }
};

}  // namespace sluice::protocol
