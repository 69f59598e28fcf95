#include "common/build_info.hpp"

namespace ticketd::build {

std::string_view Version() {
  return TICKETD_VERSION;
}
std::string_view Commit() {
  return TICKETD_COMMIT;
}
std::string_view BuildTime() {
  return TICKETD_BUILD_TIME;
}

}  // namespace ticketd::build
