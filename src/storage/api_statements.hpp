// The prepared statements of every repository the API uses, for its pool.
#pragma once

#include <vector>

#include "storage/pg_pool.hpp"

namespace ticketd::storage {

// Each repository's Statements(), concatenated; a new repository of the API
// adds its own here, so the server and the request fuzzer stay in step.
std::vector<PreparedStatement> ApiStatements();

}  // namespace ticketd::storage
