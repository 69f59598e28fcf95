// A fixed-size pool of PostgreSQL connections. Every connection is opened
// with a connect deadline and a per-statement deadline, so no query can hang
// a request forever. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

namespace ticketd::storage {

// Thrown by Acquire() when no connection frees up within the deadline.
class PoolTimeout : public std::runtime_error {
 public:
  PoolTimeout() : std::runtime_error("no database connection free within the deadline") {}
};

// A statement every pooled connection prepares (lazily, on first use).
struct PreparedStatement {
  std::string name;
  std::string sql;
};

struct PoolOptions {
  std::string url;  // libpq URL, already normalised
  int size = 8;
  std::chrono::milliseconds acquire_timeout{3000};
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::seconds connect_timeout{5};
  std::vector<PreparedStatement> statements;
};

// The libpq URL with connect_timeout, statement_timeout and application_name.
std::string ConnectionUrl(const std::string& url, std::chrono::seconds connect_timeout,
                          std::chrono::milliseconds statement_timeout);

class PgPool {
 public:
  explicit PgPool(PoolOptions options);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A borrowed connection, returned to the pool when destroyed. A connection
  // found broken is dropped instead and reopened by a later Acquire().
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // Blocks up to the acquire timeout; throws PoolTimeout, or pqxx's
  // broken_connection when a new connection cannot be opened.
  Lease Acquire();

  // Runs `work` with a leased connection and returns what it returns.
  template <typename Work>
  auto Run(Work&& work) {
    Lease lease = Acquire();
    return work(*lease);
  }

  struct Stats {
    int size = 0;    // configured maximum
    int open = 0;    // connections currently open
    int in_use = 0;  // leased right now
    std::uint64_t timeouts = 0;
  };
  Stats GetStats() const;

  // Closes idle connections and refuses new leases.
  void Close();

 private:
  void Release(std::unique_ptr<pqxx::connection> connection);

  PoolOptions options_;
  std::string url_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
  int in_use_ = 0;
  bool closed_ = false;
  std::atomic<std::uint64_t> timeouts_{0};
};

}  // namespace ticketd::storage
