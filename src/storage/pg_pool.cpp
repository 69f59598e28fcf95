#include "storage/pg_pool.hpp"

#include "common/config.hpp"

namespace ticketd::storage {

std::string ConnectionUrl(const std::string& url, std::chrono::seconds connect_timeout,
                          std::chrono::milliseconds statement_timeout) {
  std::string out =
      config::AppendUrlParameter(url, "connect_timeout", std::to_string(connect_timeout.count()));
  out = config::AppendUrlParameter(
      out, "options", "-c statement_timeout=" + std::to_string(statement_timeout.count()));
  return config::AppendUrlParameter(out, "application_name", "ticketd");
}

PgPool::PgPool(PoolOptions options)
    : options_(std::move(options)),
      url_(ConnectionUrl(options_.url, options_.connect_timeout, options_.statement_timeout)) {}

PgPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) pool_->Release(std::move(connection_));
}

PgPool::Lease PgPool::Acquire() {
  std::unique_lock lock(mutex_);
  const bool ready = available_.wait_for(lock, options_.acquire_timeout, [this] {
    return closed_ || !idle_.empty() || open_ < options_.size;
  });
  if (!ready || closed_) {
    timeouts_.fetch_add(1, std::memory_order_relaxed);
    throw PoolTimeout();
  }

  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    return Lease(*this, std::move(connection));
  }

  // Open outside the lock: connecting can take up to the connect deadline.
  ++open_;
  ++in_use_;
  lock.unlock();
  try {
    auto connection = std::make_unique<pqxx::connection>(url_);
    for (const auto& statement : options_.statements) {
      connection->prepare(statement.name, statement.sql);
    }
    return Lease(*this, std::move(connection));
  } catch (...) {
    lock.lock();
    --open_;
    --in_use_;
    available_.notify_one();
    throw;
  }
}

void PgPool::Release(std::unique_ptr<pqxx::connection> connection) {
  // A connection left inside a failed transaction or cut off is not reused.
  const bool is_open = connection->is_open();
  std::lock_guard lock(mutex_);
  --in_use_;
  if (is_open && !closed_) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  available_.notify_one();
}

PgPool::Stats PgPool::GetStats() const {
  std::lock_guard lock(mutex_);
  return {options_.size, open_, in_use_, timeouts_.load(std::memory_order_relaxed)};
}

void PgPool::Close() {
  std::vector<std::unique_ptr<pqxx::connection>> closing;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    closing.swap(idle_);
    open_ -= static_cast<int>(closing.size());
  }
  available_.notify_all();
}

}  // namespace ticketd::storage
