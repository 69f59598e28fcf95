// The AI configuration every process runs on: version 0 is the defaults file
// (AI_CONFIG_PATH); versions from 1 are rows in PostgreSQL, appended by
// PUT /api/v1/ai/config and rollbacks. Each process polls the newest version
// number every AI_CONFIG_REFRESH_MS and swaps the new configuration in, so a
// change reaches every running API, worker and MCP server within that time
// plus one database round trip, without a restart.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ai/ai_config.hpp"
#include "storage/ai_config_repository.hpp"

namespace ticketd::api {

struct AiConfigSnapshot {
  int version = 0;              // 0: the defaults file
  std::string source = "file";  // file or database
  ai::AiConfig config;          // decoded and valid
  nlohmann::json document;      // ai::ToJson(config)
  std::optional<std::string> author_id;
  std::string author_kind = "system";
  std::optional<std::string> comment;
  std::optional<int> rolled_back_from;
  std::string created_at;  // "" for the defaults file

  // {version, source, config, author_id, author_kind, comment,
  // rolled_back_from, created_at}: what GET /api/v1/ai/config answers.
  nlohmann::json ToJson() const;
};

// A stored version as a snapshot; std::nullopt when its document no longer
// decodes (a row written by a newer release, say).
std::optional<AiConfigSnapshot> SnapshotOf(const storage::AiConfigVersion& stored);

// A stored version as stored, decoded or not: its author, time and comment,
// `document` the row's JSON and `config` left at its defaults.
AiConfigSnapshot RawSnapshotOf(const storage::AiConfigVersion& stored);

class LiveAiConfig {
 public:
  using Listener = std::function<void(const AiConfigSnapshot&)>;

  // `defaults` is version 0; `versions` must outlive this object.
  LiveAiConfig(ai::AiConfig defaults, storage::AiConfigRepository& versions);
  ~LiveAiConfig();
  LiveAiConfig(const LiveAiConfig&) = delete;
  LiveAiConfig& operator=(const LiveAiConfig&) = delete;

  std::shared_ptr<const AiConfigSnapshot> Current() const;
  const AiConfigSnapshot& Defaults() const { return *defaults_; }

  // Asks the database for the newest version and swaps it in when it differs
  // from the current one; listeners run on the calling thread. Returns
  // whether the configuration changed. Blocking; throws what the repository
  // throws. A newest row that does not decode is skipped (the current
  // configuration stays) with one warning per version.
  bool Refresh();

  // Called after every change, with the new snapshot. Add listeners before
  // Start().
  void OnChange(Listener listener);

  // Refreshes now and then every `interval` on a thread of its own until
  // Stop() or destruction. Database errors are logged and retried at the
  // next interval; the current configuration stays meanwhile.
  void Start(std::chrono::milliseconds interval);
  void Stop();

 private:
  void Swap(std::shared_ptr<const AiConfigSnapshot> next);

  std::shared_ptr<const AiConfigSnapshot> defaults_;
  storage::AiConfigRepository& versions_;

  mutable std::mutex mutex_;
  std::shared_ptr<const AiConfigSnapshot> current_;
  int skipped_version_ = 0;  // the last undecodable version warned about
  std::vector<Listener> listeners_;

  std::mutex refresh_mutex_;  // one Refresh at a time
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace ticketd::api
