#include "api/live_ai_config.hpp"

#include "common/log.hpp"

namespace ticketd::api {

using nlohmann::json;

json AiConfigSnapshot::ToJson() const {
  json out = {{"version", version},          {"source", source},           {"config", document},
              {"author_id", nullptr},        {"author_kind", author_kind}, {"comment", nullptr},
              {"rolled_back_from", nullptr}, {"created_at", nullptr}};
  if (author_id) out["author_id"] = *author_id;
  if (comment) out["comment"] = *comment;
  if (rolled_back_from) out["rolled_back_from"] = *rolled_back_from;
  if (!created_at.empty()) out["created_at"] = created_at;
  return out;
}

AiConfigSnapshot RawSnapshotOf(const storage::AiConfigVersion& stored) {
  AiConfigSnapshot snapshot;
  snapshot.version = stored.version;
  snapshot.source = "database";
  snapshot.document = stored.config;
  snapshot.author_id = stored.author_id;
  snapshot.author_kind = stored.author_kind;
  snapshot.comment = stored.comment;
  snapshot.rolled_back_from = stored.rolled_back_from;
  snapshot.created_at = stored.created_at;
  return snapshot;
}

std::optional<AiConfigSnapshot> SnapshotOf(const storage::AiConfigVersion& stored) {
  auto decoded = ai::DecodeAiConfig(stored.config);
  auto* config = std::get_if<ai::AiConfig>(&decoded);
  if (config == nullptr) return std::nullopt;
  auto snapshot = RawSnapshotOf(stored);
  snapshot.document = ai::ToJson(*config);
  snapshot.config = std::move(*config);
  return snapshot;
}

namespace {

std::shared_ptr<const AiConfigSnapshot> DefaultsSnapshot(ai::AiConfig defaults) {
  auto snapshot = std::make_shared<AiConfigSnapshot>();
  snapshot->document = ai::ToJson(defaults);
  snapshot->config = std::move(defaults);
  return snapshot;
}

}  // namespace

LiveAiConfig::LiveAiConfig(ai::AiConfig defaults, storage::AiConfigRepository& versions)
    : defaults_(DefaultsSnapshot(std::move(defaults))), versions_(versions), current_(defaults_) {}

LiveAiConfig::~LiveAiConfig() {
  Stop();
}

std::shared_ptr<const AiConfigSnapshot> LiveAiConfig::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void LiveAiConfig::OnChange(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

bool LiveAiConfig::Refresh() {
  std::lock_guard refreshing(refresh_mutex_);
  const int newest = versions_.LatestNumber();
  {
    std::lock_guard lock(mutex_);
    if (newest == current_->version || newest == skipped_version_) return false;
  }
  if (newest == 0) {  // the stored versions were removed: back to the file
    Swap(defaults_);
    return true;
  }
  const auto stored = versions_.Latest();
  if (!stored) return false;
  auto snapshot = SnapshotOf(*stored);
  if (!snapshot) {
    std::lock_guard lock(mutex_);
    if (skipped_version_ != stored->version) {
      log::Warn("ai_config", "stored AI configuration does not decode; keeping the current one",
                {{"version", stored->version}, {"current", current_->version}});
    }
    skipped_version_ = stored->version;
    return false;
  }
  Swap(std::make_shared<const AiConfigSnapshot>(std::move(*snapshot)));
  return true;
}

void LiveAiConfig::Swap(std::shared_ptr<const AiConfigSnapshot> next) {
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mutex_);
    if (current_->version == next->version && current_->config == next->config) return;
    current_ = next;
    listeners = listeners_;
  }
  log::Info("ai_config", "AI configuration in use",
            {{"version", next->version}, {"source", next->source}});
  for (const auto& listener : listeners)
    listener(*next);
}

void LiveAiConfig::Start(std::chrono::milliseconds interval) {
  thread_ = std::jthread([this, interval](std::stop_token stop) {
    std::mutex sleep_mutex;
    while (!stop.stop_requested()) {
      try {
        Refresh();
      } catch (const std::exception& error) {
        log::Warn("ai_config", "cannot read the stored AI configuration; will retry",
                  {{"error", error.what()}});
      }
      std::unique_lock lock(sleep_mutex);
      wake_.wait_for(lock, stop, interval, [] { return false; });
    }
  });
}

void LiveAiConfig::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

}  // namespace ticketd::api
