// The AI configuration: which language-model providers exist, in which order
// they are tried, how hard each is pushed, what the agent may spend, the
// system prompt and what is masked before text leaves the process. Pure:
// decoding and encoding touch no file, network or environment, so the lead's
// live configuration (versioned rows) and the defaults file share one
// validator. Keys are never part of it: a provider names the environment
// variable that holds its key.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/ticket.hpp"

namespace ticketd::ai {

enum class ProviderKind { kOpenAi, kGemini, kAnthropic, kOpenAiCompatible };

// Wire names: openai, gemini, anthropic, openai_compatible.
std::string_view ToString(ProviderKind kind);
// A miss (unknown or differently cased name) returns std::nullopt.
std::optional<ProviderKind> ParseProviderKind(std::string_view text);

// US dollars per one million tokens.
struct ModelPrice {
  double input_per_1m_usd = 0;
  double output_per_1m_usd = 0;

  bool operator==(const ModelPrice&) const = default;
};

struct ProviderConfig {
  std::string name;  // unique, [a-z0-9_-]{1,64}; what fallback_chain names
  ProviderKind kind = ProviderKind::kOpenAi;
  // Empty means the deployment's default for the kind, else its public
  // endpoint (see EffectiveBaseUrl); required for openai_compatible. No
  // trailing slash is kept.
  std::string base_url;
  std::string model;
  // Name of the environment variable holding the key, e.g. OPENAI_API_KEY.
  // Required for openai, gemini and anthropic; optional for
  // openai_compatible (a local Ollama takes none).
  std::string api_key_env;
  double temperature = 0.2;  // 0 to 2
  int max_tokens = 1024;     // 1 to 100000, output tokens per call
  int connect_timeout_ms = 3000;
  int total_timeout_ms = 20000;  // one HTTP exchange, connect included
  int max_retries = 2;           // extra attempts after the first, 0 to 10
  // Prices by model name; a model without an entry costs 0.
  std::map<std::string, ModelPrice> prices;

  bool operator==(const ProviderConfig&) const = default;
};

// Backoff between attempts of one provider: initial * 2^(attempt-1), capped,
// with full jitter; a Retry-After header replaces it, up to its own cap.
struct RetryConfig {
  int initial_backoff_ms = 250;
  int max_backoff_ms = 4000;
  int max_retry_after_ms = 10000;

  bool operator==(const RetryConfig&) const = default;
};

// A provider's circuit opens after failure_threshold consecutive failed
// calls, stays open for open_ms, then lets one trial call through.
struct CircuitConfig {
  int failure_threshold = 5;
  int open_ms = 30000;

  bool operator==(const CircuitConfig&) const = default;
};

struct AgentConfig {
  int max_iterations = 4;   // model turns per ticket, 1 to 50
  int deadline_ms = 30000;  // whole agent run, all providers, 100 to 600000

  bool operator==(const AgentConfig&) const = default;
};

struct PromptConfig {
  std::string system;  // never empty; user text is never spliced into it

  bool operator==(const PromptConfig&) const = default;
};

// What Redact() masks before text goes to an external provider.
struct RedactionConfig {
  bool emails = true;
  bool phones = true;
  bool cards = true;
  bool tokens = true;
  bool passwords = true;

  bool operator==(const RedactionConfig&) const = default;
};

struct AiConfig {
  std::vector<ProviderConfig> providers;
  // Provider names in the order they are tried. The offline analyzer is
  // always the implicit last link; an empty chain means offline only.
  std::vector<std::string> fallback_chain;
  RetryConfig retry;
  CircuitConfig circuit;
  AgentConfig agent;
  PromptConfig prompts;
  RedactionConfig redaction;

  // The provider called `name`, or nullptr.
  const ProviderConfig* FindProvider(std::string_view name) const;

  bool operator==(const AiConfig&) const = default;
};

// The public endpoint of a kind (empty for openai_compatible).
std::string_view DefaultBaseUrl(ProviderKind kind);

// The base URL a provider is called at: its own; else, for kind openai,
// `openai_base_url` (OPENAI_BASE_URL, so that deployments of the old backend
// that pointed it at a proxy or Azure keep doing so) when not empty; else its
// kind's public endpoint.
std::string EffectiveBaseUrl(const ProviderConfig& provider, std::string_view openai_base_url = {});

// The prompt used when a configuration names none (also in
// config/ai_config.yaml).
std::string_view DefaultSystemPrompt();

// Decodes a configuration document. Members left out take the defaults
// above (except prompts.system, which takes DefaultSystemPrompt()); unknown
// members are refused, so a misspelt name is not silently ignored. On
// failure returns one error per invalid field, with paths such as
// `providers[1].temperature` or `fallback_chain[0]`.
std::variant<AiConfig, domain::FieldErrors> DecodeAiConfig(const nlohmann::json& document);

// The document DecodeAiConfig reads; DecodeAiConfig(ToJson(c)) == c.
nlohmann::json ToJson(const AiConfig& config);

// Parses YAML text (the format of config/ai_config.yaml) and decodes it. A
// YAML syntax error is one error with path "" and the parser's message.
std::variant<AiConfig, domain::FieldErrors> DecodeAiConfigYaml(std::string_view yaml);

// Reads and decodes a YAML file. An unreadable file is one error with path
// "" naming the file.
std::variant<AiConfig, domain::FieldErrors> LoadAiConfigFile(const std::string& path);

}  // namespace ticketd::ai
